package dev.prodlike.internal;

import dev.prodlike.internal.docker.DockerEngine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the docker provider can work here: Testcontainers on the test classpath, a Docker engine that answers, and
 * the images it needs present or pulled within a short bound. Each question is asked once per JVM: a missing engine
 * or an image that cannot be pulled is not retried for every test class.
 */
public final class Docker {

    /** Class that tells Testcontainers is present. */
    public static final String TESTCONTAINERS_CLASS = "org.testcontainers.DockerClientFactory";

    /** How long an absent image may take to pull when {@code docker.pull-timeout} is not set. */
    public static final Duration DEFAULT_PULL_TIMEOUT = Duration.ofSeconds(20);

    private static volatile Status status;
    private static final Map<String, Once<Status>> IMAGES = new ConcurrentHashMap<>();

    private Docker() {}

    /** What was found. */
    public static final class Status {
        private final boolean available;
        private final String reason;
        private final boolean local;
        private final long millis;
        private final String missingImage;

        Status(boolean available, String reason, boolean local, long millis, String missingImage) {
            this.available = available;
            this.reason = reason;
            this.local = local;
            this.millis = millis;
            this.missingImage = missingImage;
        }

        /**
         * @param available true when usable
         * @param reason    why (not)
         * @param local     true when the engine runs on this machine
         * @return a status
         */
        public static Status of(boolean available, String reason, boolean local) {
            return new Status(available, reason, local, 0, null);
        }

        /** @return true when containers can be started */
        public boolean available() {
            return available;
        }

        /** @return why not (or how it was found), for messages and the report */
        public String reason() {
            return reason;
        }

        /** @return true when the engine runs on this machine, so published ports may be bound to 127.0.0.1 */
        public boolean local() {
            return local;
        }

        /** @return how long finding this out took */
        public long millis() {
            return millis;
        }

        /** @return the image that could not be had, or null when the engine itself is the problem */
        public String missingImage() {
            return missingImage;
        }

        Status took(long ms) {
            return new Status(available, reason, local, ms, missingImage);
        }

        Status missing(String image) {
            return available ? this : new Status(false, reason, local, millis, image);
        }
    }

    /** @return the engine's status, computed on first call */
    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (Docker.class) {
                if (status == null) {
                    long t0 = System.nanoTime();
                    status = probe().took((System.nanoTime() - t0) / 1_000_000);
                }
                s = status;
            }
        }
        return s;
    }

    /**
     * Whether an image can be had: the engine answers, and the image (after Testcontainers' image name substitution,
     * so a configured mirror applies) is present locally or pulled within {@code timeout}. Asked once per image.
     *
     * @param image   such as {@code postgres:16.4}
     * @param timeout how long a pull may take
     * @return the status; {@link Status#reason()} names the image, what was tried and the fix when not available
     */
    public static Status image(String image, Duration timeout) {
        Status engine = status();
        if (!engine.available()) {
            return engine;
        }
        long t0 = System.nanoTime();
        String ryuk = ImageProbe.ryukImage();
        if (ryuk != null) {
            Status helper = imageOnce(ryuk, timeout, engine.local());
            if (!helper.available()) {
                return Status.of(
                                false,
                                "Testcontainers' helper image (Ryuk, which removes containers when the JVM"
                                        + " ends) cannot be had: " + helper.reason(),
                                engine.local())
                        .missing(ryuk)
                        .took((System.nanoTime() - t0) / 1_000_000);
            }
        }
        Status s = imageOnce(image, timeout, engine.local());
        return s.took((System.nanoTime() - t0) / 1_000_000);
    }

    private static Status imageOnce(String image, Duration timeout, boolean local) {
        return IMAGES.computeIfAbsent(image, k -> new Once<>())
                .get(() -> ImageProbe.check(image, timeout, local).missing(image));
    }

    /** @return true when Testcontainers classes are on the classpath */
    public static boolean testcontainersPresent() {
        return present(TESTCONTAINERS_CLASS);
    }

    /**
     * @param className a class name
     * @return true when the class is on prodlike's classpath (not initialised)
     */
    public static boolean present(String className) {
        try {
            Class.forName(className, false, Docker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether an engine address is on this machine: a Unix socket or named pipe, or TCP to a loopback address. Only
     * then are published ports bound to 127.0.0.1; a remote engine's loopback is unreachable from here.
     *
     * @param dockerHost the engine's address, such as {@code unix:///var/run/docker.sock} or
     *                   {@code tcp://10.0.0.5:2376}; null means the platform default (a local socket)
     * @return true when local
     */
    public static boolean isLocalEngine(URI dockerHost) {
        if (dockerHost == null || dockerHost.getScheme() == null) {
            return true;
        }
        String scheme = dockerHost.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("unix") || scheme.equals("npipe")) {
            return true;
        }
        String host = dockerHost.getHost();
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    /**
     * @param t a failure
     * @return its real cause, for messages (see {@link Failures#rootCause})
     */
    public static String rootCause(Throwable t) {
        return Failures.rootCause(t);
    }

    private static Status probe() {
        if (!testcontainersPresent()) {
            return Status.of(
                    false,
                    "Testcontainers is not on the test classpath "
                            + "(add org.testcontainers:testcontainers as a test dependency to use Docker, at the version your"
                            + " Spring Boot BOM or Testcontainers BOM manages: 1.19.8 or newer, or 2.0.x)",
                    true);
        }
        if (!engineHinted()) {
            return Status.of(
                    false,
                    "no Docker engine: DOCKER_HOST is not set, no ~/.testcontainers.properties "
                            + "names one, and no Docker socket exists (/var/run/docker.sock, ~/.docker/run/docker.sock)",
                    true);
        }
        try {
            return EngineProbe.detect();
        } catch (Exception | LinkageError e) {
            return Status.of(false, "Testcontainers could not be asked for a Docker engine: " + rootCause(e), true);
        }
    }

    /** Keeps Testcontainers classes from loading unless they are present. */
    private static final class EngineProbe {
        static Status detect() {
            DockerEngine.Found found = DockerEngine.detect();
            boolean local = isLocalEngine(found.host());
            return Status.of(
                    true,
                    "Testcontainers found a Docker engine " + found.version() + " at " + found.host()
                            + (local
                                    ? ""
                                    : " (remote: ports published on all its interfaces, reached at "
                                            + found.hostIpAddress() + ")"),
                    local);
        }
    }

    /** Keeps Testcontainers classes from loading unless they are present. */
    private static final class ImageProbe {
        static String ryukImage() {
            try {
                return DockerEngine.ryukEnabled() ? DockerEngine.ryukImage() : null;
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        static Status check(String image, Duration timeout, boolean local) {
            try {
                DockerEngine.ImageCheck check = DockerEngine.image(image, timeout);
                return Status.of(check.available(), check.reason(), local);
            } catch (RuntimeException | LinkageError e) {
                return Status.of(false, "Testcontainers could not check image " + image + ": " + rootCause(e), local);
            }
        }
    }

    private static boolean engineHinted() {
        if (System.getenv("DOCKER_HOST") != null || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null) {
            return true;
        }
        String home = System.getProperty("user.home");
        Path[] candidates = {
            Paths.get("/var/run/docker.sock"),
            Paths.get(home, ".testcontainers.properties"),
            Paths.get(home, ".docker", "run", "docker.sock"),
            Paths.get(home, ".docker", "desktop", "docker.sock"),
            Paths.get(home, ".colima", "default", "docker.sock"),
            Paths.get(home, ".rd", "docker.sock"),
            Paths.get("/run/user/" + uid(), "docker.sock"),
            Paths.get("/run/user/" + uid(), "podman", "podman.sock"),
        };
        for (Path p : candidates) {
            if (Files.exists(p)) {
                return true;
            }
        }
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    private static String uid() {
        try {
            Object uid = Files.getAttribute(Paths.get(System.getProperty("user.home")), "unix:uid");
            return String.valueOf(uid);
        } catch (Exception e) {
            return "0";
        }
    }
}
