package dev.prodlike.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A library whose version the consumer's build decides (usually through a Spring Boot BOM), with the range prodlike
 * supports. Below the floor prodlike fails at once, naming the version found and the range: such a version lacks
 * APIs prodlike calls, and would otherwise fail later with a {@code NoSuchMethodError} deep inside a test. Above the
 * newest version tested it warns once and goes on, because a newer release usually still works and refusing it would
 * break every user on the day they upgrade.
 *
 * @param name        what users call it, e.g. {@code Flyway}
 * @param coordinates the Maven artifact whose version is read, {@code group:artifact}
 * @param floor       the oldest supported version, inclusive
 * @param newest      the newest version prodlike was tested with
 */
public record SupportedLibrary(String name, String coordinates, String floor, String newest) {

    /** Flyway: Spring Boot 3.3 manages 10.10; 13.x is current. */
    public static final SupportedLibrary FLYWAY =
            new SupportedLibrary("Flyway", "org.flywaydb:flyway-core", "10.10.0", "13.12.1");
    /** Testcontainers: Spring Boot 3.3 manages 1.19.8, Boot 4.0 2.0.x. */
    public static final SupportedLibrary TESTCONTAINERS =
            new SupportedLibrary("Testcontainers", "org.testcontainers:testcontainers", "1.19.8", "2.0.5");

    /** JUnit Jupiter: Spring Boot 3.3 manages 5.10, Boot 4 manages 6.x. */
    public static final SupportedLibrary JUNIT =
            new SupportedLibrary("JUnit Jupiter", "org.junit.jupiter:junit-jupiter-api", "5.10.0", "6.1.3");
    /** Lettuce ({@code prodlike-redis-support}): Spring Boot 3.3 manages 6.3, Boot 4.1 manages 7.x. */
    public static final SupportedLibrary LETTUCE =
            new SupportedLibrary("Lettuce", "io.lettuce:lettuce-core", "6.3.0", "7.7.0");

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final Map<String, String> CHECKED = new ConcurrentHashMap<>();

    /**
     * @param anchor a class of the library, so the version is read from the jar that class came from
     * @return the version found, or empty when the jar carries no Maven metadata (a shaded or repackaged jar)
     */
    public Optional<String> version(Class<?> anchor) {
        String[] ga = coordinates.split(":");
        String path = "META-INF/maven/" + ga[0] + "/" + ga[1] + "/pom.properties";
        ClassLoader loader =
                anchor.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : anchor.getClassLoader();
        String jar = jarOf(anchor);
        try {
            List<URL> candidates = new ArrayList<>();
            for (Enumeration<URL> e = loader.getResources(path); e.hasMoreElements(); ) {
                candidates.add(e.nextElement());
            }
            // Two copies on the classpath: the one beside the class is the one that runs.
            URL chosen = candidates.stream()
                    .filter(u -> jar != null && u.toString().contains(jar))
                    .findFirst()
                    .orElse(candidates.isEmpty() ? null : candidates.get(0));
            if (chosen == null) {
                return Optional.ofNullable(anchor.getPackage().getImplementationVersion());
            }
            Properties p = new Properties();
            try (InputStream in = chosen.openStream()) {
                p.load(in);
            }
            return Optional.ofNullable(p.getProperty("version"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String jarOf(Class<?> anchor) {
        try {
            return anchor.getProtectionDomain().getCodeSource().getLocation().getPath();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Fails below the floor, warns once above the newest tested version.
     *
     * @param anchor a class of the library
     * @return the version found, or {@code unknown}
     * @throws ExtensionConfigurationException when the version is older than the floor
     */
    public String check(Class<?> anchor) {
        Optional<String> found = version(anchor);
        if (found.isEmpty()) {
            return "unknown";
        }
        String version = found.get();
        if (compare(version, floor) < 0) {
            throw new ExtensionConfigurationException(name + " " + version + " (" + coordinates + ") is on the test"
                    + " classpath, but prodlike supports " + range() + ".\nFix: use " + name + " " + floor
                    + " or newer (with Spring Boot, Boot 3.3 or newer manages a supported version; without, set the"
                    + " version of " + coordinates + " in your build).");
        }
        if (compare(version, newest) > 0 && major(version) > major(newest) && WARNED.add(name + version)) {
            Console.warning(name + " " + version + " is newer than prodlike was tested with (" + range()
                    + "); it usually works. If it does not, please report it.");
        }
        return version;
    }

    /**
     * {@link #check} once per JVM for each library and anchor: an extension calls it for every test class, and reading
     * the version opens the jar's metadata. A version below the floor is not remembered, so every class fails with it.
     *
     * @param anchor a class of the library
     * @return the version found, or {@code unknown}
     * @throws ExtensionConfigurationException when the version is older than the floor
     */
    public String checkOnce(Class<?> anchor) {
        // keyed by the whole range too: two ranges for one library (a module's own floor) are two checks
        return CHECKED.computeIfAbsent(this + "@" + anchor.getName(), k -> check(anchor));
    }

    /** @return e.g. {@code 10.10.0 to 13.x} */
    public String range() {
        return floor + " to " + major(newest) + ".x";
    }

    private static int major(String version) {
        return numbers(version).get(0);
    }

    /**
     * @param a a version such as {@code 11.7.2} or {@code 7.7.0.RELEASE}
     * @param b another
     * @return negative, zero or positive as a is older than, equal to or newer than b (numeric parts only)
     */
    public static int compare(String a, String b) {
        List<Integer> x = numbers(a);
        List<Integer> y = numbers(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int d = Integer.compare(i < x.size() ? x.get(i) : 0, i < y.size() ? y.get(i) : 0);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static List<Integer> numbers(String version) {
        List<Integer> parts = new ArrayList<>();
        for (String part : version.split("[.\\-]")) {
            if (!part.matches("\\d+")) {
                break;
            }
            parts.add(Integer.parseInt(part));
        }
        if (parts.isEmpty()) {
            parts.add(0);
        }
        return parts;
    }
}
