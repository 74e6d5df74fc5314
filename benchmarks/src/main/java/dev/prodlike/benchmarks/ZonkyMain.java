package dev.prodlike.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;

/**
 * Child JVM for the alternatives users pick today: zonky {@code EmbeddedPostgres} + Flyway. PostgreSQL refuses to
 * run as root and zonky cannot switch users, so when the harness runs as root this JVM is started as an
 * unprivileged user. Prints its timings as {@code BENCH} lines.
 *
 * <p>Modes: {@code cold [dataRoot [locations]]} (row 1: start + migrate + first query, measured inside this fresh
 * JVM), {@code template <threads> <tests> <dataRoot> [locations]} (row 2: CREATE DATABASE ... TEMPLATE per test
 * without prefetch, with WAL_LOG and with FILE_COPY) and {@code flyway <tests> <dataRoot>} (row 2: per-test Flyway
 * clean+migrate at 1 and 4 threads).
 */
public final class ZonkyMain {

    static final String APP_ROLE = "bench_app";
    static final String LOCATION = "classpath:db/bench";
    /** The 30-migration schema plus 300 tables and ~50 MB of reference rows (the scale row). */
    static final String SCALE_LOCATIONS = LOCATION + ",classpath:db/scale300";

    private static String[] locations = {LOCATION};

    private ZonkyMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("template")) {
            dataRoot = args[3];
            if (args.length > 4 && !args[4].equals("-")) {
                locations = args[4].split(",");
            }
            readOnly = args.length > 5 && args[5].equals("readonly");
            templates(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } else if (args.length > 0 && args[0].equals("flyway")) {
            dataRoot = args[2];
            flyways(Integer.parseInt(args[1]));
        } else {
            dataRoot = args.length > 1 ? args[1] : null;
            if (args.length > 2) {
                locations = args[2].split(",");
            }
            cold();
        }
        System.exit(0);
    }

    /** Row 2's read-only variant: each test only reads ({@link Workload#readOnly}). */
    private static boolean readOnly;

    /** Where the data directory goes: null for zonky's default (a directory under java.io.tmpdir). */
    private static String dataRoot;

    /** The zonky defaults plus the durability settings prodlike also turns off, so settings are not the difference. */
    private static EmbeddedPostgres start() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (dataRoot != null) {
            builder.setDataDirectory(Paths.get(
                            dataRoot, "zonky-" + ProcessHandle.current().pid()))
                    .setCleanDataDirectory(true);
        }
        return builder.setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
    }

    private static Flyway flyway(EmbeddedPostgres pg, String database) {
        return Flyway.configure()
                .dataSource(pg.getJdbcUrl("postgres", database), "postgres", null)
                .locations(locations)
                .placeholders(Map.of("app_role", APP_ROLE))
                .cleanDisabled(false)
                .load();
    }

    private static void cold() throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedPostgres pg = start()) {
            long started = System.nanoTime();
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
            }
            flyway(pg, "postgres").migrate();
            long migrated = System.nanoTime();
            try (Connection c = Workload.asAcme(DriverManager.getConnection(pg.getJdbcUrl(APP_ROLE, "postgres")));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM order_summary")) {
                rs.next();
            }
            long first = System.nanoTime();
            System.out.println("BENCH coldMs=" + (first - t0) / 1e6 + " startMs=" + (started - t0) / 1e6 + " migrateMs="
                    + (migrated - started) / 1e6);
        }
    }

    private static void templates(int threads, int tests) throws Exception {
        try (EmbeddedPostgres pg = start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
                s.execute("CREATE DATABASE bench_tpl");
            }
            flyway(pg, "bench_tpl").migrate();
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_database_size('bench_tpl')")) {
                rs.next();
                System.out.println("BENCH tplDatabaseBytes=" + rs.getLong(1));
            }
            for (String strategy : List.of("WAL_LOG", "FILE_COPY")) {
                template(pg, strategy, threads, tests);
            }
        }
    }

    private static void flyways(int flywayTests) throws Exception {
        try (EmbeddedPostgres pg = start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
            }
            for (int threads : new int[] {1, 4}) {
                flywayPerTest(pg, threads, flywayTests);
            }
        }
    }

    /** Each test waits for CREATE DATABASE ... TEMPLATE, runs the workload, and drops its database afterwards. */
    private static void template(EmbeddedPostgres pg, String strategy, int threads, int tests) throws Exception {
        Queue<Long> waits = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Rss.Sample> rss = new AtomicReference<>();
        String key = "tpl" + strategy + threads;
        long t0 = System.nanoTime();
        parallel(threads, () -> {
            try (Connection admin = pg.getPostgresDatabase().getConnection();
                    Statement s = admin.createStatement()) {
                for (int i = next.getAndIncrement(); i < tests; i = next.getAndIncrement()) {
                    String db = "t_" + key.toLowerCase() + "_" + i;
                    long w0 = System.nanoTime();
                    s.execute("CREATE DATABASE " + db + " TEMPLATE bench_tpl STRATEGY " + strategy);
                    waits.add(System.nanoTime() - w0);
                    try (Connection c = Workload.asAcme(DriverManager.getConnection(pg.getJdbcUrl(APP_ROLE, db)))) {
                        if (readOnly) {
                            Workload.readOnly(c);
                        } else {
                            Workload.run(c);
                        }
                    }
                    if (i % 25 == 0) {
                        rss.accumulateAndGet(serverMemory(admin), (prev, sample) -> sample.max(prev));
                    }
                    s.execute("DROP DATABASE " + db);
                }
            }
            return null;
        });
        double wall = (System.nanoTime() - t0) / 1e6;
        Stats st = Stats.ofNanos(waits);
        Rss.Sample mem = rss.get();
        System.out.println("BENCH " + key + "P50=" + st.p50() + " " + key + "P99=" + st.p99() + " " + key + "Mean="
                + st.mean() + " " + key + "WallMs=" + wall + " " + key + "N=" + st.count()
                + (mem == null ? "" : " " + key + "RssMb=" + mem.rssMb() + " " + key + "PssMb=" + mem.pssMb()));
    }

    /** One database per thread; each test runs Flyway clean + migrate on it, then the workload. */
    private static void flywayPerTest(EmbeddedPostgres pg, int threads, int tests) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            for (int t = 0; t < threads; t++) {
                s.execute("DROP DATABASE IF EXISTS fw_" + t);
                s.execute("CREATE DATABASE fw_" + t);
            }
        }
        Queue<Long> waits = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger thread = new AtomicInteger();
        String key = "flyway" + threads;
        long t0 = System.nanoTime();
        parallel(threads, () -> {
            String db = "fw_" + thread.getAndIncrement();
            Flyway flyway = flyway(pg, db);
            flyway.migrate(); // the first test of each thread starts from a migrated database, like a suite would
            for (int i = next.getAndIncrement(); i < tests; i = next.getAndIncrement()) {
                long w0 = System.nanoTime();
                flyway.clean();
                flyway.migrate();
                waits.add(System.nanoTime() - w0);
                try (Connection c = Workload.asAcme(DriverManager.getConnection(pg.getJdbcUrl(APP_ROLE, db)))) {
                    Workload.run(c);
                }
            }
            return null;
        });
        double wall = (System.nanoTime() - t0) / 1e6;
        Stats st = Stats.ofNanos(waits);
        System.out.println("BENCH " + key + "P50=" + st.p50() + " " + key + "P99=" + st.p99() + " " + key + "Mean="
                + st.mean() + " " + key + "WallMs=" + wall + " " + key + "N=" + st.count());
    }

    private static Rss.Sample serverMemory(Connection admin) throws SQLException {
        try (Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return Rss.tree(Rss.parentOf(rs.getLong(1)));
        }
    }

    private static void parallel(int threads, Callable<Void> body) throws Exception {
        List<Thread> started = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(
                    () -> {
                        try {
                            body.call();
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "baseline-" + t);
            th.start();
            started.add(th);
        }
        for (Thread th : started) {
            th.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("baseline failed: " + failure.get(), failure.get());
        }
    }
}
