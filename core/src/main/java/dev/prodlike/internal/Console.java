package dev.prodlike.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * What prodlike tells the user, each line once: one line per started server, and warnings (drift under
 * {@code drift=warn}, leftovers of a crashed run removed, a cache that could not be written).
 *
 * <p>With an SLF4J binding on the test classpath the lines go to the logger {@code dev.prodlike} (INFO and WARN), so
 * the user's logging configuration decides; without one (SLF4J's no-operation fallback) they are printed to standard
 * output prefixed {@code prodlike:}, so a project without a binding still sees them. Everything else prodlike does is
 * logged at DEBUG under the class's own logger.
 */
public final class Console {

    private static final Logger LOG = LoggerFactory.getLogger("dev.prodlike");
    private static final List<Interception> INTERCEPTIONS = new CopyOnWriteArrayList<>();

    private Console() {}

    /**
     * One line the user should see on every run, e.g. a server's start.
     *
     * @param message the line, without a prefix
     */
    public static void line(String message) {
        if (intercepted(message)) {
            return;
        }
        if (bound()) {
            LOG.info("{}", message);
        } else {
            System.out.println("prodlike: " + message);
        }
    }

    /**
     * A warning: something the user may need to act on.
     *
     * @param message the warning, without a prefix
     */
    public static void warning(String message) {
        if (intercepted("WARNING " + message)) {
            return;
        }
        if (bound()) {
            LOG.warn("{}", message);
        } else {
            System.out.println("prodlike: WARNING " + message);
        }
    }

    /**
     * For prodlike's own tests of what it tells the user: until closed, the lines that contain {@code marker} are
     * recorded instead of shown, so a test that provokes a warning asserts it instead of printing it. Other lines,
     * also those of tests running in parallel, are shown as usual.
     *
     * @param marker text that only the provoked lines contain, e.g. a port or a name the test made up
     * @return the interception; close it when the test is done
     */
    public static Interception intercept(String marker) {
        Interception interception = new Interception(marker);
        INTERCEPTIONS.add(interception);
        return interception;
    }

    private static boolean intercepted(String line) {
        for (Interception i : INTERCEPTIONS) {
            if (line.contains(i.marker)) {
                i.lines.add(line);
                return true;
            }
        }
        return false;
    }

    /** Lines recorded instead of shown; warnings start with {@code WARNING }. */
    public static final class Interception implements AutoCloseable {
        private final String marker;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        private Interception(String marker) {
            this.marker = marker;
        }

        /** @return the recorded lines, in order */
        public List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            INTERCEPTIONS.remove(this);
        }
    }

    /** @return true when an SLF4J binding (provider) is present, false on SLF4J's no-operation fallback */
    static boolean bound() {
        return !(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory);
    }
}
