package dev.prodlike.internal;

import static dev.prodlike.ProductionProfile.*;

import dev.prodlike.Provider;
import dev.prodlike.spi.ProfileKeys;
import dev.prodlike.spi.ValueCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Core's own profile keys: PostgreSQL and the keys every module shares. */
public final class CoreProfileKeys implements ProfileKeys {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");
    private static final Pattern CUSTOM_SETTING = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_.]*");
    private static final Pattern PG_VERSION = Pattern.compile("(1[0-9]|[2-9][0-9])\\.[0-9]{1,2}");

    @Override
    public Map<String, ValueCheck> keys() {
        Map<String, ValueCheck> keys = new LinkedHashMap<>();
        keys.put(
                POSTGRES_VERSION,
                ValueCheck.matching(
                        PG_VERSION,
                        "must be an exact PostgreSQL version, major.minor such as 16.4 (the minor matters: production runs one)"));
        keys.put(POSTGRES_MIGRATIONS, CoreProfileKeys::checkLocations);
        keys.put(POSTGRES_CHANGELOG, CoreProfileKeys::checkChangelog);
        keys.put(
                POSTGRES_LIQUIBASE_CONTEXTS,
                ValueCheck.notBlank("must be a Liquibase contexts expression such as " + "'prod' or '!test'"));
        keys.put(
                POSTGRES_LIQUIBASE_LABELS,
                ValueCheck.notBlank("must be a Liquibase label expression such as " + "'orders and !experimental'"));
        keys.put(
                POSTGRES_APP_ROLE,
                ValueCheck.matching(
                        IDENTIFIER,
                        "must be a lower-case SQL identifier such as orders_app (letters, digits, _; at most 63 characters)"));
        keys.put(POSTGRES_APP_PASSWORD, ValueCheck.any());
        keys.put(
                POSTGRES_TENANT_SETTING,
                ValueCheck.matching(
                        CUSTOM_SETTING, "must be a custom setting with a prefix, such as app.current_tenant"));
        keys.put(POSTGRES_EXTENSIONS, v -> checkList(v, IDENTIFIER, "extension names such as pgcrypto,citext"));
        keys.put(
                POSTGRES_URL,
                v -> v.startsWith("jdbc:postgresql://")
                        ? null
                        : "must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/postgres");
        keys.put(POSTGRES_OWNER_USER, ValueCheck.notBlank("must not be blank"));
        keys.put(POSTGRES_OWNER_PASSWORD, ValueCheck.any());
        keys.put(POSTGRES_PORT, ValueCheck.port());
        keys.put(POSTGRES_PREFETCH, ValueCheck.intBetween(0, 64));
        keys.put(POSTGRES_OS_USER, ValueCheck.notBlank("must name an OS user such as nobody"));
        keys.put(PROVIDER, v -> {
            try {
                return Provider.parse(v) == Provider.FROM_PROFILE
                        ? "must be one of auto, docker, embedded, external"
                        : null;
            } catch (IllegalArgumentException e) {
                return "must be one of auto, docker, embedded, external";
            }
        });
        keys.put(DRIFT, v -> v.equals("fail") || v.equals("warn") ? null : "must be fail or warn");
        keys.put(CACHE_DIR, ValueCheck.notBlank("must be a directory path"));
        keys.put(REPORT_DIR, ValueCheck.notBlank("must be a directory path"));
        keys.put(DOCKER_PULL_TIMEOUT, ValueCheck.duration());
        keys.put(DOCKER_REUSE, v -> v.equals("true") || v.equals("false") ? null : "must be true or false");
        keys.put(DOCKER_CLONES_IN_MEMORY, v -> v.equals("true") || v.equals("false") ? null : "must be true or false");
        keys.put(NETWORK_PROXY, v -> v.equals("on") || v.equals("off") ? null : "must be on or off");
        return keys;
    }

    @Override
    public Set<String> prefixes() {
        return Set.of(POSTGRES_SETTINGS_PREFIX);
    }

    private static String checkLocations(String value) {
        for (String location : ProfileValues.list(value)) {
            int colon = location.indexOf(':');
            if (colon > 0) {
                String scheme = location.substring(0, colon);
                if (!scheme.equals("classpath") && !scheme.equals("filesystem")) {
                    return "must be Flyway locations with classpath: or filesystem:, e.g. classpath:db/migration";
                }
            }
        }
        return ProfileValues.list(value).isEmpty()
                ? "must name at least one location, e.g. classpath:db/migration"
                : null;
    }

    private static String checkChangelog(String value) {
        String path = value.startsWith("classpath:") ? value.substring("classpath:".length()) : value;
        if (path.contains(":") || path.contains(",")) {
            return "must be one changelog on the test classpath, e.g. classpath:db/changelog/db.changelog-master.yaml";
        }
        return path.matches(".+\\.(ya?ml|xml|json|sql)")
                ? null
                : "must name a changelog file (.yaml, .yml, .xml, .json or .sql), e.g. "
                        + "classpath:db/changelog/db.changelog-master.yaml";
    }

    private static String checkList(String value, Pattern item, String example) {
        for (String s : ProfileValues.list(value)) {
            if (!item.matcher(s).matches()) {
                return "must be a comma-separated list of " + example + " ('" + s + "' is not)";
            }
        }
        return null;
    }
}
