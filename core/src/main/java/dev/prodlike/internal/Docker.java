package dev.prodlike.internal;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Whether the docker provider can work here: Testcontainers on the test classpath and a Docker engine that
 * answers. Asked once per JVM: a missing engine is not retried for every test class.
 */
public final class Docker {

    /** Class that tells Testcontainers is present. */
    public static final String TESTCONTAINERS_CLASS = "org.testcontainers.DockerClientFactory";

    private static volatile Status status;

    private Docker() {
    }

    /** What was found. */
    public static final class Status {
        private final boolean available;
        private final String reason;

        Status(boolean available, String reason) {
            this.available = available;
            this.reason = reason;
        }

        /** @return true when containers can be started */
        public boolean available() {
            return available;
        }

        /** @return why not (or how it was found), for messages and the report */
        public String reason() {
            return reason;
        }
    }

    /** @return the status, computed on first call */
    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (Docker.class) {
                if (status == null) {
                    status = probe();
                }
                s = status;
            }
        }
        return s;
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

    private static Status probe() {
        if (!testcontainersPresent()) {
            return new Status(false, "Testcontainers is not on the test classpath "
                    + "(add org.testcontainers:testcontainers-postgresql for PostgreSQL, org.testcontainers:testcontainers"
                    + " for Redis, as test dependencies to use Docker)");
        }
        if (!engineHinted()) {
            return new Status(false, "no Docker engine: DOCKER_HOST is not set, no ~/.testcontainers.properties "
                    + "names one, and no Docker socket exists (/var/run/docker.sock, ~/.docker/run/docker.sock)");
        }
        try {
            Class<?> factory = Class.forName(TESTCONTAINERS_CLASS, true, Docker.class.getClassLoader());
            Object instance = factory.getMethod("instance").invoke(null);
            Method check = factory.getMethod("isDockerAvailable");
            boolean ok = (Boolean) check.invoke(instance);
            return ok ? new Status(true, "Testcontainers found a Docker engine")
                    : new Status(false, "Testcontainers found no working Docker engine "
                    + "(see its log lines above for every strategy it tried)");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new Status(false, "Testcontainers could not be asked for a Docker engine: " + e);
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
