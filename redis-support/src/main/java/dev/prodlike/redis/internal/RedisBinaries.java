package dev.prodlike.redis.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Cache;
import dev.prodlike.redis.RedisKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Finds the redis-server to run for the embedded provider: the one {@code redis.binary} names, else the static
 * redis-server shipped as a resource in {@code org.signal:embedded-redis}, extracted once into the cache.
 */
public final class RedisBinaries {

    /** The only version org.signal:embedded-redis 0.9.1 ships. */
    public static final String SHIPPED_VERSION = "7.0.15";

    private RedisBinaries() {}

    /** A binary and where it came from. */
    public record Binary(Path path, String version, String origin) {}

    /**
     * @param osName {@code os.name}
     * @param osArch {@code os.arch}
     * @return the resource name inside embedded-redis, e.g. {@code redis-server-7.0.15-linux-amd64}, or null when
     *         it ships none for this platform
     */
    public static String resourceName(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
        String a = arch.equals("amd64") || arch.equals("x86_64")
                ? "amd64"
                : arch.equals("aarch64") || arch.equals("arm64")
                        ? "arm64"
                        : arch.equals("x86") || arch.equals("i386") || arch.equals("i686") ? "386" : null;
        if (o == null || a == null || (o.equals("darwin") && a.equals("386"))) {
            return null;
        }
        return "redis-server-" + SHIPPED_VERSION + "-" + o + "-" + a;
    }

    /**
     * Finds the binary for {@code settings}.
     *
     * @param settings the class's settings
     * @return the binary
     * @throws ExtensionConfigurationException when the declared version cannot be obtained and drift=fail, or no
     *                                         binary exists for this platform
     */
    public static Binary find(RedisSettings settings) {
        return find(settings, dev.prodlike.internal.Console::warning);
    }

    /**
     * Like {@link #find(RedisSettings)}; a cached binary that differs from its manifest (deleted, truncated,
     * edited) is extracted again.
     *
     * @param settings the class's settings
     * @param rebuilt  receives one line naming a damaged cache entry that was rebuilt
     * @return the binary
     */
    public static Binary find(RedisSettings settings, Consumer<String> rebuilt) {
        ProductionProfile profile = settings.profile();
        String named = profile.get(RedisKeys.BINARY).orElse(null);
        if (named != null) {
            Path p = Paths.get(named);
            if (!Files.isExecutable(p)) {
                throw new ExtensionConfigurationException("Cannot run Redis " + settings.version() + ": "
                        + RedisKeys.BINARY + "=" + named + " ("
                        + profile.origin(RedisKeys.BINARY).orElse("profile") + ") is not an executable"
                        + " file.\nFix: point " + RedisKeys.BINARY + " at a redis-server of version "
                        + settings.version() + ", or remove it to use the redis-server " + SHIPPED_VERSION
                        + " shipped in org.signal:embedded-redis.");
            }
            return new Binary(p.toAbsolutePath(), null, RedisKeys.BINARY + "=" + named);
        }
        String resource = resourceName(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        if (!RedisSettings.versionMatches(settings.version(), SHIPPED_VERSION) && !profile.driftWarnOnly()) {
            throw new ExtensionConfigurationException(notObtainable(
                    settings, "org.signal:embedded-redis ships" + " redis-server " + SHIPPED_VERSION + " only"));
        }
        if (resource == null) {
            throw new ExtensionConfigurationException(notObtainable(
                    settings,
                    "org.signal:embedded-redis ships no" + " redis-server for " + System.getProperty("os.name") + "/"
                            + System.getProperty("os.arch")));
        }
        ClassLoader loader = RedisBinaries.class.getClassLoader();
        if (loader.getResource(resource) == null) {
            throw new ExtensionConfigurationException(
                    notObtainable(
                            settings,
                            "the resource " + resource
                                    + " of org.signal:embedded-redis is not on the test classpath (was the dependency excluded?)"));
        }
        Path dir = Cache.root(profile).resolve("redis").resolve(resource);
        try {
            Cache.ensure(
                    dir,
                    tmp -> {
                        Path target = tmp.resolve("redis-server");
                        try (InputStream in = loader.getResourceAsStream(resource)) {
                            if (in == null) {
                                throw new IOException("resource " + resource + " vanished");
                            }
                            Files.copy(in, target);
                        }
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    },
                    rebuilt);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Could not extract " + resource + " from org.signal:embedded-redis into " + dir + ": "
                            + e.getMessage(),
                    e);
        }
        return new Binary(
                dir.resolve("redis-server"),
                SHIPPED_VERSION,
                "redis-server " + SHIPPED_VERSION + " from org.signal:embedded-redis");
    }

    private static String notObtainable(RedisSettings settings, String why) {
        return "Redis " + settings.version() + " is not obtainable for provider=embedded: " + why + ".\n"
                + "Tried: " + RedisKeys.BINARY + " (not set), then the static redis-server in"
                + " org.signal:embedded-redis.\n"
                + "Fix: one of\n"
                + "  provider=docker                       # runs redis:" + settings.version()
                + " with Testcontainers\n"
                + "  " + RedisKeys.BINARY + "=/path/to/redis-server   # a local build of "
                + settings.version() + "\n"
                + "  drift=warn                            # accept redis-server " + SHIPPED_VERSION
                + " and report the difference";
    }
}
