package dev.prodlike.testing;

import dev.prodlike.ProductionProfile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.Callable;

/**
 * Runs code with a different {@code prodlike.properties}: the thread context class loader serves the given text in
 * place of the module's own file, which is how the extension finds the profile.
 */
public final class ProfileOverride {

    private ProfileOverride() {}

    /**
     * @param properties the file's text
     * @param action     what to run, e.g. an EngineTestKit execution
     * @param <T>        result
     * @return the action's result
     */
    public static <T> T with(String properties, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(new Loader(original, properties));
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    private static final class Loader extends ClassLoader {
        private final URL url;

        Loader(ClassLoader parent, String text) throws IOException {
            super(parent);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            this.url = new URL("memory", "", -1, "/" + ProductionProfile.FILE, new URLStreamHandler() {
                @Override
                protected URLConnection openConnection(URL u) {
                    return new URLConnection(u) {
                        @Override
                        public void connect() {}

                        @Override
                        public InputStream getInputStream() {
                            return new ByteArrayInputStream(bytes);
                        }
                    };
                }
            });
        }

        @Override
        public URL getResource(String name) {
            return ProductionProfile.FILE.equals(name) ? url : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return ProductionProfile.FILE.equals(name)
                    ? Collections.enumeration(Collections.singletonList(url))
                    : super.getResources(name);
        }
    }
}
