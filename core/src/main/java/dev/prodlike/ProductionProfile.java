package dev.prodlike;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

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
public final class ProductionProfile {

    /** Name of the profile file looked up on the test classpath: {@value}. */
    public static final String FILE = "prodlike.properties";
    /** Prefix of system properties that override the profile: {@value}. */
    public static final String SYSTEM_PROPERTY_PREFIX = "prodlike.";

    /** Exact PostgreSQL version of production, major.minor: {@value}. */
    public static final String POSTGRES_VERSION = "postgres.version";
    /** Comma-separated Flyway locations of the service's real migrations: {@value}. */
    public static final String POSTGRES_MIGRATIONS = "postgres.migrations";
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

    /** Redis version of production, major.minor or major.minor.patch: {@value}. */
    public static final String REDIS_VERSION = "redis.version";
    /** Prefix of Redis settings production pins, e.g. {@code redis.settings.maxmemory-policy=allkeys-lru}: {@value}. */
    public static final String REDIS_SETTINGS_PREFIX = "redis.settings.";
    /** URL of an existing Redis for the external provider: {@value}. */
    public static final String REDIS_URL = "redis.url";
    /** A redis-server binary to run instead of the one shipped in embedded-redis: {@value}. */
    public static final String REDIS_BINARY = "redis.binary";
    /** Fixed port for a provisioned Redis (default: a free port): {@value}. */
    public static final String REDIS_PORT = "redis.port";

    /** Issuer ({@code iss}) production tokens carry: {@value}. */
    public static final String JWT_ISSUER = "jwt.issuer";
    /** Audience ({@code aud}) production tokens carry: {@value}. */
    public static final String JWT_AUDIENCE = "jwt.audience";
    /** Signature algorithm, RS256, ES256 or PS256: {@value}. */
    public static final String JWT_ALGORITHM = "jwt.algorithm";
    /** Name of the claim that carries the tenant (default tenant_id): {@value}. */
    public static final String JWT_TENANT_CLAIM = "jwt.tenant-claim";
    /** Lifetime of issued tokens, e.g. {@code 15m} or {@code PT15M}: {@value}. */
    public static final String JWT_TOKEN_LIFETIME = "jwt.token-lifetime";

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

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    private static final Pattern CUSTOM_SETTING = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_.]*");
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern PG_VERSION = Pattern.compile("(1[0-9]|[2-9][0-9])\\.[0-9]{1,2}");
    private static final Pattern REDIS_VERSION_PATTERN = Pattern.compile("[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,3})?");
    private static final Pattern DURATION_SHORT = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

    private static final Map<String, Function<String, String>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put(POSTGRES_VERSION, v -> PG_VERSION.matcher(v).matches() ? null
                : "must be an exact PostgreSQL version, major.minor such as 16.4 (the minor matters: production runs one)");
        KEYS.put(POSTGRES_MIGRATIONS, ProductionProfile::checkLocations);
        KEYS.put(POSTGRES_APP_ROLE, v -> IDENTIFIER.matcher(v).matches() ? null
                : "must be a lower-case SQL identifier such as orders_app (letters, digits, _; at most 63 characters)");
        KEYS.put(POSTGRES_APP_PASSWORD, v -> null);
        KEYS.put(POSTGRES_TENANT_SETTING, v -> CUSTOM_SETTING.matcher(v).matches() ? null
                : "must be a custom setting with a prefix, such as app.current_tenant");
        KEYS.put(POSTGRES_EXTENSIONS, v -> checkList(v, IDENTIFIER, "extension names such as pgcrypto,citext"));
        KEYS.put(POSTGRES_URL, v -> v.startsWith("jdbc:postgresql://") ? null
                : "must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/postgres");
        KEYS.put(POSTGRES_OWNER_USER, v -> v.isBlank() ? "must not be blank" : null);
        KEYS.put(POSTGRES_OWNER_PASSWORD, v -> null);
        KEYS.put(POSTGRES_PORT, ProductionProfile::checkPort);
        KEYS.put(POSTGRES_PREFETCH, v -> checkInt(v, 0, 64));
        KEYS.put(POSTGRES_OS_USER, v -> v.isBlank() ? "must name an OS user such as nobody" : null);
        KEYS.put(REDIS_VERSION, v -> REDIS_VERSION_PATTERN.matcher(v).matches() ? null
                : "must be a Redis version such as 7.0 or 7.0.15");
        KEYS.put(REDIS_URL, v -> v.startsWith("redis://") || v.startsWith("rediss://") ? null
                : "must be a Redis URI such as redis://127.0.0.1:6379/15");
        KEYS.put(REDIS_BINARY, v -> v.isBlank() ? "must be the path of a redis-server executable" : null);
        KEYS.put(REDIS_PORT, ProductionProfile::checkPort);
        KEYS.put(JWT_ISSUER, v -> v.isBlank() ? "must not be blank" : null);
        KEYS.put(JWT_AUDIENCE, v -> v.isBlank() ? "must not be blank" : null);
        KEYS.put(JWT_ALGORITHM, v -> List.of("RS256", "ES256", "PS256").contains(v) ? null
                : "must be one of RS256, ES256, PS256");
        KEYS.put(JWT_TENANT_CLAIM, v -> v.isBlank() ? "must not be blank" : null);
        KEYS.put(JWT_TOKEN_LIFETIME, v -> {
            try {
                parseDuration(v);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        KEYS.put(PROVIDER, v -> {
            try {
                Provider p = Provider.parse(v);
                return p == Provider.FROM_PROFILE ? "must be one of auto, docker, embedded, external" : null;
            } catch (IllegalArgumentException e) {
                return "must be one of auto, docker, embedded, external";
            }
        });
        KEYS.put(DRIFT, v -> v.equals("fail") || v.equals("warn") ? null : "must be fail or warn");
        KEYS.put(CACHE_DIR, v -> v.isBlank() ? "must be a directory path" : null);
        KEYS.put(REPORT_DIR, v -> v.isBlank() ? "must be a directory path" : null);
        KEYS.put(DOCKER_PULL_TIMEOUT, v -> {
            try {
                parseDuration(v);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        KEYS.put(DOCKER_REUSE, v -> v.equals("true") || v.equals("false") ? null : "must be true or false");
    }

    private final Map<String, String> values;
    private final Map<String, String> origins;
    private final String fileDescription;

    private ProductionProfile(Map<String, String> values, Map<String, String> origins, String fileDescription) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.origins = Collections.unmodifiableMap(new TreeMap<>(origins));
        this.fileDescription = fileDescription;
    }

    /**
     * Loads {@value #FILE} from the thread context class loader and applies {@code -Dprodlike.*} overrides.
     *
     * @return the validated profile (empty when there is no file and no override)
     * @throws ExtensionConfigurationException when the file has an unknown key or a malformed value, or two copies
     *                                         of the file are on the classpath
     */
    public static ProductionProfile load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ProductionProfile.class.getClassLoader();
        }
        return load(loader, System.getProperties());
    }

    /**
     * Loads the profile from {@code loader} with overrides from {@code systemProperties}; for tests and tools.
     *
     * @param loader           where {@value #FILE} is looked up
     * @param systemProperties where {@code prodlike.*} overrides are read
     * @return the validated profile
     */
    public static ProductionProfile load(ClassLoader loader, Properties systemProperties) {
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
            fileDescription = FILE + " (" + url + ")";
            Properties file = new Properties();
            try (InputStream in = url.openStream(); Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new ExtensionConfigurationException("Could not read " + url + ": " + e, e);
            }
            for (String key : new TreeMap<>(toMap(file)).keySet()) {
                String value = stripComment(file.getProperty(key));
                validate(key, value, fileDescription);
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
            validate(key, value, "system property " + origin);
            values.put(key, value);
            origins.put(key, origin);
        }
        return new ProductionProfile(values, origins, fileDescription);
    }

    /**
     * Creates a profile from explicit values, validated like the file; for tests and programmatic use.
     *
     * @param values key/value pairs as they would appear in {@value #FILE}
     * @return the validated profile
     */
    public static ProductionProfile of(Map<String, String> values) {
        Map<String, String> origins = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            validate(e.getKey(), e.getValue(), "the given values");
            origins.put(e.getKey(), "the given values");
        }
        return new ProductionProfile(values, origins, "values given in code");
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
            validate(e.getKey(), e.getValue().trim(), origin);
            v.put(e.getKey(), e.getValue().trim());
            o.put(e.getKey(), origin);
        }
        return new ProductionProfile(v, o, fileDescription);
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
        String t = text.trim();
        var m = DURATION_SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                default: return Duration.ofDays(n);
            }
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("must be a duration such as 15m, 30s, 2h or PT15M");
        }
    }

    /**
     * Splits a comma-separated value, trimming blanks.
     *
     * @param value such as {@code pgcrypto, citext}
     * @return the items
     */
    public static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                items.add(s.trim());
            }
        }
        return items;
    }

    private static void validate(String key, String value, String where) {
        Function<String, String> check = KEYS.get(key);
        if (check == null) {
            if (key.startsWith(POSTGRES_SETTINGS_PREFIX) || key.startsWith(REDIS_SETTINGS_PREFIX)) {
                String name = key.substring(key.indexOf(".settings.") + ".settings.".length());
                check = v -> SETTING_NAME.matcher(name).matches() ? null
                        : "names no setting: write the server setting's own name after '.settings.'";
            } else {
                throw new ExtensionConfigurationException("Unknown key '" + key + "' in " + where + ".\n"
                        + suggestion(key) + "Known keys: " + String.join(", ", KEYS.keySet()) + ", "
                        + POSTGRES_SETTINGS_PREFIX + "<name>, " + REDIS_SETTINGS_PREFIX + "<name>.");
            }
        }
        String problem = value.isEmpty() ? "must not be empty" : check.apply(value);
        if (problem != null) {
            throw new ExtensionConfigurationException("Malformed value in " + where + ": " + key + "=" + value
                    + "\n  " + key + " " + problem + ".");
        }
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KEYS.keySet()) {
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

    private static String checkLocations(String value) {
        for (String location : list(value)) {
            int colon = location.indexOf(':');
            if (colon > 0) {
                String scheme = location.substring(0, colon);
                if (!scheme.equals("classpath") && !scheme.equals("filesystem")) {
                    return "must be Flyway locations with classpath: or filesystem:, e.g. classpath:db/migration";
                }
            }
        }
        return list(value).isEmpty() ? "must name at least one location, e.g. classpath:db/migration" : null;
    }

    private static String checkList(String value, Pattern item, String example) {
        for (String s : list(value)) {
            if (!item.matcher(s).matches()) {
                return "must be a comma-separated list of " + example + " ('" + s + "' is not)";
            }
        }
        return null;
    }

    private static String checkPort(String value) {
        return checkInt(value, 1, 65535);
    }

    private static String checkInt(String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            return n < min || n > max ? "must be a number from " + min + " to " + max : null;
        } catch (NumberFormatException e) {
            return "must be a number from " + min + " to " + max;
        }
    }

    private static String stripComment(String value) {
        // Allow "16.4   # exact production version" as DESIGN.md writes it.
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
