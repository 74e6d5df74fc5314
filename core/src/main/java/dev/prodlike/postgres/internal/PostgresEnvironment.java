package dev.prodlike.postgres.internal;

import dev.prodlike.Provider;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.Docker;
import dev.prodlike.internal.Drift;
import dev.prodlike.internal.EnvironmentReport;
import dev.prodlike.internal.Once;
import dev.prodlike.internal.SessionStore;
import dev.prodlike.postgres.internal.docker.DockerPostgres;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

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
    private final Map<String, Optional<String>> fingerprints = new ConcurrentHashMap<>();

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
        return SessionStore.of(context, NAMESPACE)
                .getOrComputeIfAbsent(
                        PostgresEnvironment.class, k -> new PostgresEnvironment(report), PostgresEnvironment.class);
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
        Server server =
                servers.computeIfAbsent(settings.serverKey(), k -> new Once<>()).get(() -> start(settings));
        Template template = server.templates
                .computeIfAbsent(settings.templateKey(), k -> new Once<>())
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
                "PostgreSQL " + settings.version(),
                pg.description() + "; " + settings.providerWhy());
        List<Drift.Finding> findings = new ArrayList<>();
        String actualVersion = ServerInspection.inspect(pg, settings, entry, findings);
        describe(pg, entry);
        Drift.announce(
                report,
                entry,
                "PostgreSQL " + actualVersion + " " + pg.description() + " ready in " + pg.startMillis() + " ms on "
                        + pg.host() + ":" + pg.port(),
                findings,
                settings.profile(),
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
        return fingerprints
                .computeIfAbsent(settings.templateKey(), k -> Optional.ofNullable(settings.migrationsFingerprint()))
                .orElse(null);
    }

    private static PgServer provision(PgSettings settings, String fingerprint) {
        try {
            return switch (settings.provider()) {
                case DOCKER -> DockerLoader.start(settings, fingerprint);
                case EXTERNAL -> ExternalPostgres.connect(settings.profile());
                case EMBEDDED -> EmbeddedPostgres.start(settings.profile(), fingerprint);
                // PgSettings holds the provider ProviderChoice resolved: these never reach a server start
                case AUTO, FROM_PROFILE ->
                    throw new IllegalStateException("provider " + settings.provider()
                            + " was not resolved to a concrete provider before starting PostgreSQL");
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

    private static void describe(PgServer pg, EnvironmentReport.Entry entry) {
        pg.deliberateSettings().forEach(entry::deliberate);
        entry.timing("endpoint", pg.host() + ":" + pg.port());
        entry.timing("startMs", pg.startMillis());
        pg.startPhases().forEach(entry::timing);
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
        ClusterSnapshots snapshots = server.server.clusterSnapshots().orElse(null);
        if (snapshots != null && fingerprint != null) {
            // Deterministic name: the template may come from a cached migrated cluster, and be cached itself.
            String name = "prodlike_tpl_" + fingerprint;
            if (snapshots.startedFrom(fingerprint)) {
                t = Template.fromSnapshot(
                        server.server,
                        name,
                        settings.appRole(),
                        snapshots.seedMetadata(fingerprint),
                        settings.prefetch(),
                        major);
            } else {
                boolean first = server.migrated == 0;
                t = Template.prepare(
                        server.server,
                        name,
                        settings.migrator(),
                        settings.appRole(),
                        settings.appPassword(),
                        settings.prefetch(),
                        major,
                        meta -> {
                            if (first) {
                                snapshots.snapshot(fingerprint, meta);
                            }
                        });
            }
        } else if (server.server.keepsTemplates() && fingerprint != null) {
            // A reused container: the template migrated by an earlier run is taken as it is. Clone names carry
            // this run, so the next run drops what a crashed one left (Leftovers).
            String name = "prodlike_tpl_" + fingerprint;
            t = Template.keptOrPrepare(
                    server.server,
                    name,
                    databasePrefix() + "_t" + server.migrated + "_",
                    settings.migrator(),
                    settings.appRole(),
                    settings.appPassword(),
                    settings.prefetch(),
                    major);
        } else {
            t = Template.prepare(
                    server.server,
                    databasePrefix() + "_t" + server.migrated,
                    settings.migrator(),
                    settings.appRole(),
                    settings.appPassword(),
                    settings.prefetch(),
                    major,
                    null);
        }
        closeOrder.add(t);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("migrationsApplied", t.migrations.applied());
        timings.put("migrationsChecksum", t.migrations.checksum());
        timings.put("migrateMs", t.migrations.millis());
        timings.put("templateReadyMs", t.prepareMillis);
        timings.put("appRole", settings.appRole() + ": " + t.appRoleOrigin);
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
                report.update(s.reportId, t.clones.stats().reportEntries());
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

        Prepared(
                PgServer server,
                Template template,
                String version,
                PgSettings settings,
                PostgresEnvironment environment) {
            this.server = server;
            this.template = template;
            this.version = version;
            this.settings = settings;
            this.environment = environment;
        }
    }

    /** Keeps Testcontainers classes from loading unless the docker provider is used. */
    static final class DockerLoader {
        private DockerLoader() {}

        static PgServer start(PgSettings settings, String fingerprint) {
            try {
                return DockerPostgres.start(
                        settings.profile(), new LinkedHashMap<>(EmbeddedPostgres.SPEED_SETTINGS), fingerprint);
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException(
                        "Testcontainers could not start postgres:" + settings.version()
                                + ": " + Docker.rootCause(e) + "\nFix: check that the image exists"
                                + " (docker pull postgres:" + settings.version() + ") or use provider=embedded.",
                        e);
            }
        }
    }
}
