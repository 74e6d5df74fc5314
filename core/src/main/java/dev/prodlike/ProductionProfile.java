package dev.prodlike;

import dev.prodlike.internal.ProfileKeyRegistry;
import dev.prodlike.internal.ProfileValues;
import dev.prodlike.spi.ValueCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The production profile: what production runs, declared once in {@code prodlike.properties} on the test classpath.
 *
 * <p>Precedence, lowest first: the file, then annotation attributes (passed to {@link #withOverrides(Map, String)}),
 * then {@code -Dprodlike.<key>} system properties. Every key is validated: an unknown key or a malformed value is an
 * {@link ExtensionConfigurationException} that names the key, the value and where it came from.
 *
 * <pre>{@code
 * postgres.version=16.4
 * postgres.migrations=classpath:db/migration
 * postgres.app-role=orders_app
 * postgres.tenant-setting=app.current_tenant
 * provider=auto
 * drift=fail
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class ProductionProfile {

    /** Name of the profile file looked up on the test classpath: {@value}. */
    public static final String FILE = "prodlike.properties";
    /** Prefix of system properties that override the profile: {@value}. */
    public static final String SYSTEM_PROPERTY_PREFIX = "prodlike.";

    /** Exact PostgreSQL version of production, major.minor: {@value}. */
    public static final String POSTGRES_VERSION = "postgres.version";
    /** Comma-separated Flyway locations of the service's real migrations: {@value}. */
    public static final String POSTGRES_MIGRATIONS = "postgres.migrations";
    /**
     * The service's Liquibase changelog, e.g. {@code classpath:db/changelog/db.changelog-master.yaml}, applied with the
     * service's own liquibase-core in place of Flyway; not together with {@link #POSTGRES_MIGRATIONS}: {@value}.
     */
    public static final String POSTGRES_CHANGELOG = "postgres.changelog";
    /** Liquibase contexts expression the changelog runs with, as production passes it: {@value}. */
    public static final String POSTGRES_LIQUIBASE_CONTEXTS = "postgres.liquibase.contexts";
    /** Liquibase label filter expression the changelog runs with, as production passes it: {@value}. */
    public static final String POSTGRES_LIQUIBASE_LABELS = "postgres.liquibase.labels";
    /** The role the service connects as in production: {@value}. */
    public static final String POSTGRES_APP_ROLE = "postgres.app-role";
    /** Password of the app role; needed only when an external server already has that role: {@value}. */
    public static final String POSTGRES_APP_PASSWORD = "postgres.app-password";
    /** The custom setting that carries the tenant, e.g. {@code app.current_tenant}: {@value}. */
    public static final String POSTGRES_TENANT_SETTING = "postgres.tenant-setting";
    /** Comma-separated extensions production has available: {@value}. */
    public static final String POSTGRES_EXTENSIONS = "postgres.extensions";
    /** Prefix of server settings production pins, e.g. {@code postgres.settings.timezone=UTC}: {@value}. */
    public static final String POSTGRES_SETTINGS_PREFIX = "postgres.settings.";
    /** JDBC URL of an existing server for the external provider: {@value}. */
    public static final String POSTGRES_URL = "postgres.url";
    /** User that creates databases and runs migrations on an external server: {@value}. */
    public static final String POSTGRES_OWNER_USER = "postgres.owner-user";
    /** Password of {@link #POSTGRES_OWNER_USER}: {@value}. */
    public static final String POSTGRES_OWNER_PASSWORD = "postgres.owner-password";
    /** Fixed port for a provisioned server (default: a free port): {@value}. */
    public static final String POSTGRES_PORT = "postgres.port";
    /** How many fresh databases are kept prepared ahead (default 3, or twice JUnit's parallelism): {@value}. */
    public static final String POSTGRES_PREFETCH = "postgres.prefetch";
    /** Unprivileged OS user that runs embedded PostgreSQL when the JVM runs as root (default nobody): {@value}. */
    public static final String POSTGRES_OS_USER = "postgres.os-user";

    /** auto, docker, embedded or external: {@value}. */
    public static final String PROVIDER = "provider";
    /** What a difference between test and production does, fail or warn: {@value}. */
    public static final String DRIFT = "drift";
    /** Where binaries and initialised clusters are cached across runs: {@value}. */
    public static final String CACHE_DIR = "cache-dir";
    /** Where the environment report is written (default target/prodlike): {@value}. */
    public static final String REPORT_DIR = "report-dir";
    /**
     * How long the docker provider may spend pulling an image that is not present locally before {@code auto} falls
     * back to embedded (and {@code docker} fails), default 20s: {@value}.
     */
    public static final String DOCKER_PULL_TIMEOUT = "docker.pull-timeout";
    /**
     * true: keep the PostgreSQL container running after the run, keyed by version, settings and the migrations'
     * fingerprint, so the next run skips the container start and the migrations (Testcontainers' reuse; needs
     * {@code testcontainers.reuse.enable=true} in {@code ~/.testcontainers.properties}); default false: {@value}.
     */
    public static final String DOCKER_REUSE = "docker.reuse";
    /**
     * true (default): a docker container started from a kept migrated cluster copies the databases tests get into a
     * tablespace on a tmpfs of its own, so that their copies, resets and drops run in memory rather than on the
     * engine's overlay file system (5-8 times faster); they then show that tablespace in
     * {@code pg_database.dattablespace}. false: every database stays in {@code pg_default}: {@value}.
     */
    public static final String DOCKER_CLONES_IN_MEMORY = "docker.clones-in-memory";
    /**
     * {@code on} (default): every connection prodlike hands out for a test runs through the test's own in-JVM proxy,
     * so that {@code faults().network()} can inject latency, hangs and cut connections; {@code off}: connections go to
     * the server directly and network faults are unavailable: {@value}.
     */
    public static final String NETWORK_PROXY = "network.proxy";

    private final Map<String, String> values;
    private final Map<String, String> origins;
    private final String fileDescription;
    private final ProfileKeyRegistry keys;

    private ProductionProfile(
            Map<String, String> values, Map<String, String> origins, String fileDescription, ProfileKeyRegistry keys) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.origins = Collections.unmodifiableMap(new TreeMap<>(origins));
        this.fileDescription = fileDescription;
        this.keys = keys;
    }

    /**
     * Loads {@value #FILE} from the thread context class loader and applies {@code -Dprodlike.*} overrides.
     *
     * @return the validated profile (empty when there is no file and no override)
     * @throws ExtensionConfigurationException when the file has an unknown key or a malformed value, or two copies
     *                                         of the file are on the classpath
     */
    public static ProductionProfile load() {
        return load(defaultLoader(), System.getProperties());
    }

    private static ClassLoader defaultLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : ProductionProfile.class.getClassLoader();
    }

    /**
     * Loads the profile from {@code loader} with overrides from {@code systemProperties}; for tests and tools.
     *
     * @param loader           where {@value #FILE} is looked up
     * @param systemProperties where {@code prodlike.*} overrides are read
     * @return the validated profile
     */
    public static ProductionProfile load(ClassLoader loader, Properties systemProperties) {
        ProfileKeyRegistry keys = ProfileKeyRegistry.of(loader);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        String fileDescription = "no " + FILE + " on the test classpath";
        List<URL> urls = new ArrayList<>();
        try {
            Enumeration<URL> found = loader.getResources(FILE);
            while (found.hasMoreElements()) {
                urls.add(found.nextElement());
            }
        } catch (IOException e) {
            throw new ExtensionConfigurationException("Could not look up " + FILE + " on the classpath: " + e, e);
        }
        if (urls.size() > 1) {
            throw new ExtensionConfigurationException("Found " + urls.size() + " copies of " + FILE
                    + " on the test classpath, so production is declared twice:\n  " + joinLines(urls)
                    + "\nKeep one (normally src/test/resources/" + FILE + " of the module under test).");
        }
        if (urls.size() == 1) {
            URL url = urls.get(0);
            fileDescription = describe(url);
            Properties file = new Properties();
            try (InputStream in = url.openStream();
                    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new ExtensionConfigurationException("Could not read " + url + ": " + e, e);
            }
            for (String key : new TreeMap<>(toMap(file)).keySet()) {
                String value = stripComment(file.getProperty(key));
                validate(keys, key, value, fileDescription);
                values.put(key, value);
                origins.put(key, FILE);
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(toMap(systemProperties)).entrySet()) {
            if (!e.getKey().startsWith(SYSTEM_PROPERTY_PREFIX)) {
                continue;
            }
            String key = e.getKey().substring(SYSTEM_PROPERTY_PREFIX.length());
            String origin = "-D" + e.getKey();
            String value = stripComment(e.getValue());
            validate(keys, key, value, "system property " + origin);
            values.put(key, value);
            origins.put(key, origin);
        }
        return new ProductionProfile(values, origins, fileDescription, keys);
    }

    /**
     * Names the file the user edits: the build copies {@code src/test/resources/prodlike.properties} to
     * {@code target/test-classes} (Maven) or {@code build/resources/test} (Gradle), and the classpath only knows the copy.
     *
     * @param url where the class loader found {@value #FILE}
     * @return {@code prodlike.properties (<source>, copied to <copy>)} when the source is found next to the copy,
     *         else {@code prodlike.properties (<url>)}, with a hint where the source normally is for a build copy
     */
    static String describe(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return FILE + " (" + url + ")";
        }
        Path copy;
        try {
            copy = Paths.get(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return FILE + " (" + url + ")";
        }
        Path dir = copy.getParent();
        Path module = null;
        if (dir != null && dir.endsWith(Paths.get("target", "test-classes"))) {
            module = dir.getParent().getParent();
        } else if (dir != null && dir.endsWith(Paths.get("build", "resources", "test"))) {
            module = dir.getParent().getParent().getParent();
        }
        if (module == null) {
            return FILE + " (" + copy + ")";
        }
        Path source = module.resolve("src").resolve("test").resolve("resources").resolve(FILE);
        if (Files.isRegularFile(source)) {
            return FILE + " (" + source + ", copied to " + module.relativize(dir) + ")";
        }
        return FILE + " (" + copy + ", a build copy: edit the source, normally src/test/resources/" + FILE + ")";
    }

    /**
     * Creates a profile from explicit values, validated like the file; for tests and programmatic use.
     *
     * @param values key/value pairs as they would appear in {@value #FILE}
     * @return the validated profile
     */
    public static ProductionProfile of(Map<String, String> values) {
        ProfileKeyRegistry keys = ProfileKeyRegistry.of(defaultLoader());
        Map<String, String> origins = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            validate(keys, e.getKey(), e.getValue(), "the given values");
            origins.put(e.getKey(), "the given values");
        }
        return new ProductionProfile(values, origins, "values given in code", keys);
    }

    /**
     * Returns a profile where {@code overrides} (annotation attributes) replace file values, while
     * {@code -Dprodlike.*} system properties still win.
     *
     * @param overrides key/value pairs; blank values mean "not set" and are ignored
     * @param origin    where they came from, e.g. {@code @ProductionLikeDatabase on OrderIT}, used in messages
     * @return the new profile
     */
    public ProductionProfile withOverrides(Map<String, String> overrides, String origin) {
        Map<String, String> v = new LinkedHashMap<>(values);
        Map<String, String> o = new LinkedHashMap<>(origins);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (e.getValue() == null || e.getValue().isBlank()) {
                continue;
            }
            String current = origins.get(e.getKey());
            if (current != null && current.startsWith("-D")) {
                continue;
            }
            validate(keys, e.getKey(), e.getValue().trim(), origin);
            v.put(e.getKey(), e.getValue().trim());
            o.put(e.getKey(), origin);
        }
        return new ProductionProfile(v, o, fileDescription, keys);
    }

    /**
     * @param key a profile key such as {@link #POSTGRES_VERSION}
     * @return the value, if declared
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * @param key          a profile key
     * @param defaultValue returned when the key is not declared
     * @return the value or the default
     */
    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /**
     * Returns a declared value or fails with a message that shows the line to add.
     *
     * @param key     a profile key
     * @param example an example value for the message, e.g. {@code 16.4}
     * @return the value
     * @throws ExtensionConfigurationException when the key is not declared
     */
    public String require(String key, String example) {
        String value = values.get(key);
        if (value == null) {
            throw new ExtensionConfigurationException("The production profile does not declare " + key
                    + " (looked in " + fileDescription + ", annotation attributes and -D" + SYSTEM_PROPERTY_PREFIX
                    + key + ").\nAdd the line\n  " + key + "=" + example
                    + "\nto src/test/resources/" + FILE + " with the value production uses.");
        }
        return value;
    }

    /**
     * @param prefix such as {@link #POSTGRES_SETTINGS_PREFIX}
     * @return the declared keys under the prefix (prefix removed), sorted, with their values
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> result = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                result.put(k.substring(prefix.length()), v);
            }
        });
        return result;
    }

    /**
     * @param key a profile key
     * @return where its value came from: {@value #FILE}, an annotation, or a {@code -D} property; empty if unset
     */
    public Optional<String> origin(String key) {
        return Optional.ofNullable(origins.get(key));
    }

    /** @return the file this profile was read from, for messages */
    public String fileDescription() {
        return fileDescription;
    }

    /** @return the declared provider, {@link Provider#AUTO} when not declared */
    public Provider provider() {
        return get(PROVIDER).map(Provider::parse).orElse(Provider.AUTO);
    }

    /** @return true when {@code drift=warn}; fail is the default */
    public boolean driftWarnOnly() {
        return "warn".equals(values.get(DRIFT));
    }

    /** @return all declared values, sorted by key */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Parses a duration as the profile writes it: {@code 15m}, {@code 30s}, {@code 2h}, {@code 500ms} or ISO-8601
     * ({@code PT15M}).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException when the text is neither form
     */
    public static Duration parseDuration(String text) {
        return ProfileValues.duration(text);
    }

    /**
     * Splits a comma-separated value, trimming blanks.
     *
     * @param value such as {@code pgcrypto, citext}
     * @return the items
     */
    public static List<String> list(String value) {
        return ProfileValues.list(value);
    }

    private static void validate(ProfileKeyRegistry keys, String key, String value, String where) {
        ValueCheck check = keys.check(key);
        if (check == null) {
            String hint = keys.namespaceUnknown(key)
                    ? "No prodlike module on the test classpath declares '" + key.substring(0, key.indexOf('.') + 1)
                            + "*' keys: if this line is for a prodlike module, add that module as a test dependency; otherwise"
                            + " remove the line.\n"
                    : suggestion(keys, key);
            throw new ExtensionConfigurationException("Unknown key '" + key + "' in " + where + ".\n"
                    + hint + "Known keys: " + String.join(", ", keys.keys())
                    + keys.prefixes().stream().map(p -> ", " + p + "<name>").collect(Collectors.joining()) + ".");
        }
        String problem = value.isEmpty() ? "must not be empty" : check.problem(value);
        if (problem != null) {
            throw new ExtensionConfigurationException(
                    "Malformed value in " + where + ": " + key + "=" + value + "\n  " + key + " " + problem + ".");
        }
    }

    private static String suggestion(ProfileKeyRegistry keys, String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : keys.keys()) {
            int d = distance(key, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best != null && bestDistance <= 3 ? "Did you mean '" + best + "'? " : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String stripComment(String value) {
        // Allow "16.4   # exact production version": a trailing comment after the value.
        int hash = value.indexOf(" #");
        int tab = value.indexOf("\t#");
        int cut = hash < 0 ? tab : (tab < 0 ? hash : Math.min(hash, tab));
        return (cut >= 0 ? value.substring(0, cut) : value).trim();
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            m.put(name, p.getProperty(name));
        }
        return m;
    }

    private static String joinLines(List<URL> urls) {
        StringBuilder sb = new StringBuilder();
        for (URL u : urls) {
            if (sb.length() > 0) {
                sb.append("\n  ");
            }
            sb.append(u);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ProductionProfile" + values;
    }
}
