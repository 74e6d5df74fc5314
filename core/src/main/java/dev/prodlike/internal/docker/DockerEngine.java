package dev.prodlike.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.prodlike.internal.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;

/**
 * The Testcontainers side of {@link dev.prodlike.internal.Docker}: the engine Testcontainers finds, and whether an image is present or
 * can be pulled within a bound. Loaded only when Testcontainers is on the classpath. Never starts a container: the
 * check runs before Testcontainers would pull (for minutes, with retries) on its own.
 */
public final class DockerEngine {

    private DockerEngine() {}

    private static volatile DockerClient client;

    /**
     * The engine Testcontainers' strategies find, asked through a client of our own: Testcontainers' global client
     * starts Ryuk on first use, which would pull Ryuk's image (for minutes, with retries) before any check.
     */
    private static DockerClient client() {
        DockerClient c = client;
        if (c == null) {
            synchronized (DockerEngine.class) {
                if (client == null) {
                    TransportConfig transport = DockerClientFactory.instance().getTransportConfig();
                    client = DockerClientProviderStrategy.getClientForConfig(transport);
                }
                c = client;
            }
        }
        return c;
    }

    /**
     * The engine Testcontainers found.
     *
     * @param version       the engine's version
     * @param host          where Testcontainers reaches it ({@code DOCKER_HOST} or the socket it found)
     * @param hostIpAddress where published ports are reached
     */
    public record Found(String version, URI host, String hostIpAddress) {}

    /**
     * An image's availability.
     *
     * @param available present, or pulled in time
     * @param reason    what was found or tried, naming the image
     */
    public record ImageCheck(boolean available, String reason) {}

    /**
     * @return the engine Testcontainers finds
     * @throws RuntimeException when it finds none
     */
    public static Found detect() {
        DockerClientFactory factory = DockerClientFactory.instance();
        DockerClient client = client();
        URI host = factory.getTransportConfig().getDockerHost();
        String version = client.versionCmd().exec().getVersion();
        return new Found(version, host, factory.dockerHostIpAddress());
    }

    /** @return true unless TESTCONTAINERS_RYUK_DISABLED=true (read the way Testcontainers reads it) */
    public static boolean ryukEnabled() {
        return !Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"));
    }

    /** Ryuk's image in Testcontainers 2.0.x, in case it cannot be read from the Testcontainers on the classpath. */
    static final String RYUK_IMAGE_2_0 = "testcontainers/ryuk:0.14.0";

    private static volatile String ryukImage;

    /**
     * @return the helper image Testcontainers starts before the first container when Ryuk is enabled, with the tag
     *         of the Testcontainers version on the classpath (its name is a constant in Testcontainers' Ryuk
     *         container class; {@code ryuk.container.image} in its configuration is not what 2.x starts)
     */
    public static String ryukImage() {
        String image = ryukImage;
        if (image == null) {
            image = RYUK_IMAGE_2_0;
            try (InputStream in =
                    DockerClientFactory.class.getResourceAsStream("/org/testcontainers/utility/RyukContainer.class")) {
                if (in != null) {
                    String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    Matcher m = Pattern.compile("testcontainers/ryuk:[0-9][0-9A-Za-z.\\-]*")
                            .matcher(text);
                    if (m.find()) {
                        image = m.group();
                    }
                }
            } catch (IOException ignored) {
                // the 2.0.x name
            }
            ryukImage = image;
        }
        return image;
    }

    /**
     * @param image   such as {@code postgres:16.4}
     * @param timeout how long a pull may take
     * @return available when present locally or pulled in time; otherwise why, naming the image and what was tried
     */
    public static ImageCheck image(String image, Duration timeout) {
        DockerClient client = client();
        DockerImageName name = ImageNameSubstitutor.instance().apply(DockerImageName.parse(image));
        String canonical = name.asCanonicalNameString();
        String shown = canonical.equals(image) ? image : image + " (as " + canonical + ")";
        if (present(client, canonical)) {
            return new ImageCheck(true, "image " + shown + " present locally");
        }
        long t0 = System.nanoTime();
        Pull pull = new Pull();
        String failure;
        PULL_ATTEMPTS.computeIfAbsent(image, k -> new AtomicInteger()).incrementAndGet();
        try {
            client.pullImageCmd(name.getUnversionedPart())
                    .withTag(name.getVersionPart())
                    .exec(pull);
            if (pull.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                failure = pull.error != null
                        ? Failures.rootCause(pull.error)
                        : present(client, canonical)
                                ? null
                                : "the pull ended but the image is still absent"
                                        + (pull.lastError == null ? "" : " (" + pull.lastError + ")");
            } else {
                failure = "the pull did not finish within " + timeout.toSeconds() + " s";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            failure = Failures.rootCause(e);
        } finally {
            try {
                pull.close();
            } catch (Exception ignored) {
                // the pull stops with the callback
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (failure == null) {
            return new ImageCheck(true, "image " + shown + " pulled in " + ms + " ms");
        }
        return new ImageCheck(
                false,
                "image " + shown + " is not present on the Docker engine and pulling it failed" + " after " + ms
                        + " ms (docker.pull-timeout=" + timeout.toSeconds() + "s): " + failure);
    }

    /** Pulls started by this JVM per image as asked for: an image missing everywhere is to be pulled once. */
    private static final Map<String, AtomicInteger> PULL_ATTEMPTS = new ConcurrentHashMap<>();

    /**
     * @param image such as {@code postgres:16.4}, as passed to {@link #image}
     * @return how many pulls of it this JVM has started
     */
    public static int pullAttempts(String image) {
        AtomicInteger n = PULL_ATTEMPTS.get(image);
        return n == null ? 0 : n.get();
    }

    /** Collects a pull's outcome quietly (the library's own callback logs failures at ERROR level). */
    private static final class Pull extends ResultCallback.Adapter<PullResponseItem> {
        volatile Throwable error;
        volatile String lastError;

        @Override
        public void onNext(PullResponseItem item) {
            if (item != null && item.getErrorDetail() != null) {
                lastError = item.getErrorDetail().getMessage();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            error = throwable;
            try {
                close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }

    private static boolean present(DockerClient client, String canonical) {
        try {
            client.inspectImageCmd(canonical).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
