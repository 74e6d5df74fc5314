package dev.prodlike.postgres.internal;

import dev.prodlike.Provider;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.Drift;
import dev.prodlike.internal.Once;
import dev.prodlike.internal.EnvironmentReport;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL servers and templates of one JVM, held in the launcher-session Store
 * ({@link dev.prodlike.internal.SessionStore}) and closed by it at the end of the run:
 * each server starts once per (provider, version, settings) and each template is migrated once per server and
 * migrations. A failure to provision is remembered and reported again, not retried, for every later class.
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class PostgresEnvironment implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("dev.prodlike", "postgres");

    /** Names this environment's databases on servers it does not own: the run is recognisable in the name. */
    private volatile String databasePrefix;
    private final Map<String, Once<Server>> servers = new ConcurrentHashMap<>();
    /** Migration fingerprints by template key (see {@link #fingerprint}). */
    private final Map<String, java.util.Optional<String>> fingerprints = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeOrder = Collections.synchronizedList(new ArrayList<>());
    private final EnvironmentReport report;
    private volatile boolean closed;

    private PostgresEnvironment(EnvironmentReport report) {
        this.report = report;
    }

    /**
     * @param context  any extension context
     * @param settings the class's settings (for the report location)
     * @return the JVM's environment
     */
    public static PostgresEnvironment of(ExtensionContext context, PgSettings settings) {
        EnvironmentReport report = EnvironmentReport.of(context, settings.profile());
        return dev.prodlike.internal.SessionStore.of(context, NAMESPACE).getOrComputeIfAbsent(PostgresEnvironment.class,
                k -> new PostgresEnvironment(report), PostgresEnvironment.class);
    }

    /** A started server with its drift findings and templates. */
    public final class Server {
        final PgServer server;
        final String version;
        final String reportId;
        final Map<String, Once<Template>> templates = new ConcurrentHashMap<>();
        int migrated;

        Server(PgServer server, String version, String reportId) {
            this.server = server;
            this.version = version;
            this.reportId = reportId;
        }
    }

    /**
     * Starts (once) the server and migrates (once) the template these settings need.
     *
     * @param settings the class's settings
     * @return the template's handle
     */
    public Prepared prepare(PgSettings settings) {
        Server server = servers.computeIfAbsent(settings.serverKey(), k -> new Once<>()).get(() -> start(settings));
        Template template = server.templates.computeIfAbsent(settings.templateKey(), k -> new Once<>())
                .get(() -> migrate(server, settings));
        return new Prepared(server.server, template, server.version, settings, this);
    }

    /** Provisions the server, sweeps a shared server, compares it with the profile, then reports and judges drift. */
    private Server start(PgSettings settings) {
        if (closed) {
            throw new IllegalStateException("the test run is ending");
        }
        PgServer pg = provision(settings, fingerprint(settings));
        closeOrder.add(pg);
        if (settings.provider() == Provider.EXTERNAL) {
            sweepLeftovers(pg);
        }
        EnvironmentReport.Entry entry = new EnvironmentReport.Entry(
                "postgres-" + settings.version() + "-" + pg.provider() + "-" + servers.size(),
                "PostgreSQL " + settings.version(), pg.description() + "; " + settings.providerWhy());
        List<Drift.Finding> findings = new ArrayList<>();
        String actualVersion = inspect(pg, settings, entry, findings);
        describe(pg, entry, findings);
        Drift.announce(report, entry, "PostgreSQL " + actualVersion + " " + pg.description() + " ready in "
                        + pg.startMillis() + " ms on " + pg.host() + ":" + pg.port(), findings, settings.profile(),
                "provider " + pg.description(),
                "Fix: make the test server match production (provider=embedded or docker provide exact "
                        + "versions and apply postgres.settings.*), or correct the profile if production changed.",
                null);
        return new Server(pg, actualVersion, entry.id());
    }

    /**
     * @return the fingerprint of these settings' migrations, read once per session: the server's start and the
     *     template's preparation both need it, and reading the migrations is on the way to the first test
     */
    private String fingerprint(PgSettings settings) {
        return fingerprints.computeIfAbsent(settings.templateKey(),
                k -> java.util.Optional.ofNullable(settings.migrationsFingerprint())).orElse(null);
    }

    private static PgServer provision(PgSettings settings, String fingerprint) {
        try {
            return switch (settings.provider()) {
                case DOCKER -> DockerLoader.start(settings, fingerprint);
                case EXTERNAL -> ExternalPostgres.connect(settings.profile());
                default -> EmbeddedPostgres.start(settings.profile(), fingerprint);
            };
        } catch (ZonkyBinaries.BinariesNotFoundException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
    }

    private static void sweepLeftovers(PgServer pg) {
        int dropped = Leftovers.dropDead(pg);
        if (dropped > 0) {
            Console.line("dropped " + dropped + " databases and roles left by earlier runs that did not stop cleanly"
                    + " on " + pg.description());
        }
    }

    /**
     * Compares version, declared settings and extensions with the profile.
     *
     * @return the server's version
     */
    private static String inspect(PgServer pg, PgSettings settings, EnvironmentReport.Entry entry,
                                  List<Drift.Finding> findings) {
        try (Connection c = pg.ownerConnection(pg.adminDatabase())) {
            String actualVersion = query(c, "SHOW server_version").split(" ")[0];
            entry.compared("postgres.version", settings.version(), actualVersion);
            if (!actualVersion.equals(settings.version())) {
                findings.add(new Drift.Finding("postgres.version", settings.version(), actualVersion));
            }
            for (Map.Entry<String, String> s : settings.settings().entrySet()) {
                compareSetting(c, s.getKey(), s.getValue(), entry, findings);
            }
            for (String ext : settings.extensions()) {
                compareExtension(c, ext, entry, findings);
            }
            return actualVersion;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not inspect " + pg.description() + ": " + e.getMessage(), e);
        }
    }

    private static void compareSetting(Connection c, String key, String declared, EnvironmentReport.Entry entry,
                                       List<Drift.Finding> findings) throws SQLException {
        String actual;
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                actual = rs.getString(1);
            }
        }
        actual = actual == null ? "(unknown setting)" : actual;
        entry.compared("postgres.settings." + key, declared, actual);
        if (!sameSetting(declared, actual) && !sameSetting(canonical(c, key, declared), actual)
                && !(key.endsWith("timezone") && sameZone(c, declared, actual))) {
            findings.add(new Drift.Finding("postgres.settings." + key, declared, actual));
        }
    }

    private static void compareExtension(Connection c, String ext, EnvironmentReport.Entry entry,
                                         List<Drift.Finding> findings) throws SQLException {
        boolean available;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = ?)")) {
            ps.setString(1, ext);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                available = rs.getBoolean(1);
            }
        }
        entry.compared("postgres.extensions " + ext, "available", available ? "available" : "not available");
        if (!available) {
            findings.add(new Drift.Finding("postgres.extensions", ext + " available", ext + " missing"));
        }
    }

    private static void describe(PgServer pg, EnvironmentReport.Entry entry, List<Drift.Finding> findings) {
        pg.deliberateSettings().forEach(entry::deliberate);
        entry.timing("endpoint", pg.host() + ":" + pg.port());
        entry.timing("startMs", pg.startMillis()).drift(findings);
        if (pg instanceof EmbeddedPostgres embedded) {
            embedded.phases().forEach(entry::timing);
            if (!embedded.repairs().isEmpty()) {
                entry.timing("cacheRebuilt", String.join("\n", embedded.repairs()));
            }
        }
    }

    private Template migrate(Server server, PgSettings settings) {
        // One template at a time per server: the first may restart the server to cache its migrated cluster.
        synchronized (server) {
            Template t = migrateLocked(server, settings);
            server.migrated++;
            return t;
        }
    }

    private Template migrateLocked(Server server, PgSettings settings) {
        int major = Integer.parseInt(server.version.split("\\.")[0]);
        String fingerprint = fingerprint(settings);
        Template t;
        if (server.server instanceof EmbeddedPostgres embedded && fingerprint != null) {
            // Deterministic name: the template may come from a cached migrated cluster, and be cached itself.
            String name = "prodlike_tpl_" + fingerprint;
            if (embedded.startedFrom(fingerprint)) {
                t = Template.fromSnapshot(embedded, name, settings.appRole(), embedded.seedMetadata(fingerprint),
                        settings.prefetch(), major);
            } else {
                boolean first = server.migrated == 0;
                t = Template.prepare(embedded, name, settings.migrator(), settings.appRole(),
                        settings.appPassword(), settings.prefetch(), major, meta -> {
                            if (first) {
                                embedded.snapshot(fingerprint, meta);
                            }
                        });
            }
        } else if (server.server.keepsTemplates() && fingerprint != null) {
            // A reused container: the template migrated by an earlier run is taken as it is. Clone names carry
            // this run, so the next run drops what a crashed one left (Leftovers).
            String name = "prodlike_tpl_" + fingerprint;
            t = Template.keptOrPrepare(server.server, name, databasePrefix() + "_t" + server.migrated + "_",
                    settings.migrator(), settings.appRole(), settings.appPassword(), settings.prefetch(), major);
        } else {
            t = Template.prepare(server.server, databasePrefix() + "_t" + server.migrated,
                    settings.migrator(), settings.appRole(), settings.appPassword(), settings.prefetch(), major,
                    null);
        }
        closeOrder.add(t);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("migrationsApplied", t.migrations.applied());
        timings.put("migrationsChecksum", t.migrations.checksum());
        timings.put("migrateMs", t.migrations.millis());
        timings.put("templateReadyMs", t.prepareMillis);
        report.update(server.reportId, timings); // one write of the report, not four
        if (t.appRoleOwns > 0) {
            Console.warning("the app role " + settings.appRole() + " owns " + t.appRoleOwns + " relations after"
                    + " migrations; owners bypass RLS unless it is FORCEd. Production roles usually own nothing.");
        }
        return t;
    }

    /**
     * @return the prefix of this environment's database names on servers it does not own, made when first needed:
     *     it looks up the host name, which a server prodlike starts itself never needs
     */
    private String databasePrefix() {
        String p = databasePrefix;
        if (p == null) {
            synchronized (this) {
                if (databasePrefix == null) {
                    databasePrefix = Leftovers.databasePrefix();
                }
                p = databasePrefix;
            }
        }
        return p;
    }

    void recordStats(PgServer pg, Template t) {
        for (Server s : serversStarted()) {
            if (s.server == pg) {
                double[] st = t.clones.stats();
                Map<String, Object> stats = new LinkedHashMap<>();
                stats.put("cloneWaitP50Ms", round(st[0]));
                stats.put("cloneWaitP99Ms", round(st[1]));
                stats.put("clonesServed", (long) st[2]);
                stats.put("cloneCreateMeanMs", round(st[3]));
                stats.put("clonesReused", (long) st[4]);
                stats.put("clonesCheckedChanged", (long) st[5]);
                stats.put("clonesCheckedUndecided", (long) st[6]);
                stats.put("clonesReset", (long) st[7]);
                stats.put("cloneResetMeanMs", round(st[8]));
                report.update(s.reportId, stats);
            }
        }
    }

    private List<Server> serversStarted() {
        List<Server> list = new ArrayList<>();
        for (Once<Server> o : servers.values()) {
            Server s = o.valueOrNull();
            if (s != null) {
                list.add(s);
            }
        }
        return list;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static boolean sameSetting(String declared, String actual) {
        String d = declared.trim().toLowerCase(Locale.ROOT);
        String a = actual.trim().toLowerCase(Locale.ROOT);
        if (d.equals(a)) {
            return true;
        }
        Map<String, String> booleans = Map.of("on", "true", "yes", "true", "1", "true", "off", "false",
                "no", "false", "0", "false");
        return booleans.containsKey(d) && booleans.get(d).equals(booleans.get(a));
    }

    /** The server's own rendering of a declared value (UTC becomes Etc/UTC, 64MB stays 64MB), where settable. */
    private static String canonical(Connection c, String name, String declared) {
        boolean auto = true;
        try {
            auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
                ps.setString(1, name);
                ps.setString(2, declared);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            return declared;
        }
    }

    /** UTC and Etc/UTC are one zone: same local time in winter and in summer. */
    private static boolean sameZone(Connection c, String a, String b) {
        String sql = "SELECT (timestamptz '2024-01-15 12:00Z' AT TIME ZONE ?) = (timestamptz '2024-01-15 12:00Z'"
                + " AT TIME ZONE ?) AND (timestamptz '2024-07-15 12:00Z' AT TIME ZONE ?)"
                + " = (timestamptz '2024-07-15 12:00Z' AT TIME ZONE ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, a);
            ps.setString(2, b);
            ps.setString(3, a);
            ps.setString(4, b);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Server s : serversStarted()) {
            for (Once<Template> o : s.templates.values()) {
                Template t = o.valueOrNull();
                if (t != null) {
                    recordStats(s.server, t);
                }
            }
        }
        List<AutoCloseable> order = new ArrayList<>(closeOrder);
        Collections.reverse(order);
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                Console.warning("closing " + c + " failed: " + e);
            }
        }
    }

    /** What a test class gets: its server and migrated template. */
    public static final class Prepared {
        final PgServer server;
        final Template template;
        final String version;
        final PgSettings settings;
        final PostgresEnvironment environment;

        Prepared(PgServer server, Template template, String version, PgSettings settings,
                 PostgresEnvironment environment) {
            this.server = server;
            this.template = template;
            this.version = version;
            this.settings = settings;
            this.environment = environment;
        }

        /**
         * @return a fresh database of its own for one test (or class)
         */
        public TestDatabase newDatabase() {
            try {
                return new TestDatabase(this, template.clones.acquire());
            } catch (SQLException e) {
                throw new IllegalStateException("Could not create a test database from template " + template.name
                        + " on " + server.description() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Keeps Testcontainers classes from loading unless the docker provider is used. */
    static final class DockerLoader {
        private DockerLoader() {
        }

        static PgServer start(PgSettings settings, String fingerprint) {
            try {
                return dev.prodlike.postgres.internal.docker.DockerPostgres.start(settings.profile(),
                        new LinkedHashMap<>(EmbeddedPostgres.SPEED_SETTINGS), fingerprint);
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("Testcontainers could not start postgres:" + settings.version()
                        + ": " + dev.prodlike.internal.Docker.rootCause(e) + "\nFix: check that the image exists"
                        + " (docker pull postgres:" + settings.version() + ") or use provider=embedded.", e);
            }
        }
    }
}
