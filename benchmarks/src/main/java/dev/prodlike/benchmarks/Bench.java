package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The harness: measures each row against the alternative in the same run, prints one table and writes
 * {@code target/results.md} and {@code target/results.json}. Run with {@code mvn -pl benchmarks -am verify -Pbench}.
 *
 * <p>Numbers are reported, never asserted: a slow machine makes a slow table, not a failed build. A failed
 * <em>test</em> inside a fixture does fail the run, since its timings would mean nothing.
 */
public final class Bench {

    /** Fresh JVMs measured per side for the cold start; the median is reported. */
    static final int COLD_RUNS = 5;
    /** Tests per configuration in row 2. */
    static final int TESTS = PerTestTestCase.TESTS;
    /** Flyway clean+migrate takes ~100x longer per test: fewer tests keep the run within minutes. */
    static final int FLYWAY_TESTS = 20;
    /** Row 3's alternative: this many classes, each with its own Redis server. */
    static final int REDIS_CLASSES = 10;
    /** Extra zonky cold starts with the data directory on tmpfs, where prodlike keeps its server's data. */
    static final int ZONKY_SHM_RUNS = 3;
    /** tmpfs: prodlike's run directories go there when it is roomy; the baselines' servers use it too. */
    static final String SHM = "/dev/shm";
    static final int REDIS_TESTS_PER_CLASS = 20;

    private final Path target;
    private final Path work;
    private final Children children;
    private final Results results = new Results();

    private Bench(Path target) {
        this.target = target;
        this.work = target.resolve("bench");
        this.children = new Children(work);
    }

    public static void main(String[] args) throws Exception {
        Path target = Paths.get(args.length > 0 ? args[0] : "target").toAbsolutePath();
        long t0 = System.nanoTime();
        new Bench(target).runAll();
        System.out.printf(Locale.ROOT, "benchmarks: done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        System.exit(0);
    }

    private void runAll() throws Exception {
        deleteRecursively(work);
        Files.createDirectories(work);
        System.out.println("benchmarks: running as " + (Children.runningAsRoot()
                ? "root (zonky side in a child JVM as user nobody; prodlike runs its server as nobody itself)"
                : System.getProperty("user.name")) + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        String loadBefore = loadAverage();
        coldStart();
        perTest();
        redisRow();
        rlsRow();
        memoryRow();
        results.note("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs; load average (1/5/15 min) "
                + loadBefore + " at start, " + loadAverage() + " at end. Other processes share the CPUs: read the"
                + " ratios (both sides measured in the same minutes) before the absolute numbers.");
        results.note("Row 1: each side in fresh JVMs, median of " + COLD_RUNS + "; prodlike from the class's first"
                + " callback to the first query answered by the migrated database in the test (JUnit, profile, server,"
                + " template, clone, connection); zonky from before EmbeddedPostgres.builder() to the same query after"
                + " Flyway migrate. Both include their class loading. zonky runs as user nobody (PostgreSQL refuses"
                + " root; zonky has no user switch) via setpriv in a child JVM, with fsync, full_page_writes and"
                + " synchronous_commit off like prodlike's server.");
        results.note("Row 2: wait = from JUnit's BeforeTestExecutionCallback to the first line of the test, i.e."
                + " resolving the TenantDatabase parameter. Every test then places an order as the app role under RLS"
                + " and reads it back. Alternatives run the same work on a zonky server (data on tmpfs, durability"
                + " off): CREATE DATABASE ... TEMPLATE at the start of each test and DROP at its end, or Flyway"
                + " clean + migrate on one database per thread (" + FLYWAY_TESTS + " tests: ~100x slower per test).");
        String table = results.markdown();
        System.out.println();
        System.out.println(table);
        results.write(target);
        System.out.println("benchmarks: wrote " + target.resolve("results.md") + " and " + target.resolve("results.json"));
    }

    // ---- row 1 ----------------------------------------------------------------------------------------------

    private Map<String, Double> zonkyBaselines;
    private Rss.Sample prodlikeRss;

    private void coldStart() throws IOException {
        Path cache = work.resolve("prodlike-cache");
        System.out.println("row 1: cold start, prodlike (first run, nothing cached)");
        Map<String, Double> first = prodlikeCold("prodlike-uncached", cache);
        List<Map<String, Double>> cached = new ArrayList<>();
        for (int i = 1; i <= COLD_RUNS; i++) {
            System.out.println("row 1: cold start, prodlike cached, fresh JVM " + i + "/" + COLD_RUNS);
            cached.add(prodlikeCold("prodlike-cached-" + i, cache));
        }
        System.out.println("row 1: cold start, zonky first run in this directory (extracts its binaries; not counted)");
        Map<String, Double> zonkyFirst = children.run("zonky-first", true, zonkyJvmArgs(), ZonkyMain.class, "cold");
        List<Map<String, Double>> zonky = new ArrayList<>();
        for (int i = 1; i <= COLD_RUNS; i++) {
            System.out.println("row 1: cold start, zonky + Flyway, fresh JVM " + i + "/" + COLD_RUNS);
            zonky.add(children.run("zonky-cold-" + i, true, zonkyJvmArgs(), ZonkyMain.class, "cold"));
        }
        List<Map<String, Double>> zonkyShm = new ArrayList<>();
        for (int i = 1; i <= ZONKY_SHM_RUNS; i++) {
            System.out.println("row 1: cold start, zonky + Flyway with its data directory on tmpfs (like prodlike's), "
                    + "fresh JVM " + i + "/" + ZONKY_SHM_RUNS);
            zonkyShm.add(children.run("zonky-cold-shm-" + i, true, zonkyJvmArgs(), ZonkyMain.class, "cold", SHM));
        }
        double zs = median(zonkyShm, "coldMs");
        double p = median(cached, "coldMs");
        double z = median(zonky, "coldMs");
        double ratio = z / p;
        results.number("coldStartMs", p);
        results.number("coldStartZonkyMs", z);
        results.number("coldStartRatio", ratio);
        results.number("coldStartUncachedMs", first.getOrDefault("coldMs", Double.NaN));
        results.number("coldStartZonkyFirstMs", zonkyFirst.getOrDefault("coldMs", Double.NaN));
        results.number("coldStartJvmUptimeAtFirstQueryMs", median(cached, "jvmUptimeAtFirstQueryMs"));
        for (String phase : List.of("copyClusterMs", "bootMs", "templateReadyMs")) {
            results.number("coldStartPhase" + Character.toUpperCase(phase.charAt(0)) + phase.substring(1),
                    median(cached, phase));
        }
        results.number("coldStartZonkyServerMs", median(zonky, "startMs"));
        results.number("coldStartZonkyMigrateMs", median(zonky, "migrateMs"));
        results.row("1", "Cold start to first migrated DB (30 migrations, RLS), fresh JVM, median of " + COLD_RUNS,
                Results.ms(p) + " (cached migrated cluster: copy " + Results.ms(median(cached, "copyClusterMs"))
                        + ", boot " + Results.ms(median(cached, "bootMs")) + ")",
                "zonky EmbeddedPostgres + Flyway migrate: " + Results.ms(z) + " (server "
                        + Results.ms(median(zonky, "startMs")) + ", migrate " + Results.ms(median(zonky, "migrateMs"))
                        + ")",
                Results.faster(z, p), "≥ 3.5×, ≤ 600 ms: " + verdict(ratio >= 3.5 && p <= 600));
        results.number("coldStartZonkyTmpfsMs", zs);
        results.row("1", "Same, zonky's data directory on tmpfs too (not zonky's default; median of " + ZONKY_SHM_RUNS
                        + ")", Results.ms(p), "zonky EmbeddedPostgres + Flyway migrate, data on tmpfs: " + Results.ms(zs)
                        + " (server " + Results.ms(median(zonkyShm, "startMs")) + ", migrate "
                        + Results.ms(median(zonkyShm, "migrateMs")) + ")",
                Results.faster(zs, p), "reported");
        results.row("1", "First run, nothing cached (prodlike: unpack binaries, initdb, migrate, cache the cluster)",
                Results.ms(first.getOrDefault("coldMs", Double.NaN)),
                "zonky first run (extracts binaries, initdb, migrate): "
                        + Results.ms(zonkyFirst.getOrDefault("coldMs", Double.NaN)),
                Results.faster(zonkyFirst.getOrDefault("coldMs", Double.NaN), first.getOrDefault("coldMs", Double.NaN)),
                "reported");
    }

    private Map<String, Double> prodlikeCold(String label, Path cache) {
        return children.run(label, false, List.of("-Dprodlike.cache-dir=" + cache,
                "-Dprodlike.report-dir=" + work.resolve("reports").resolve(label)), ColdStartMain.class);
    }

    private List<String> zonkyJvmArgs() throws IOException {
        return List.of("-Djava.io.tmpdir=" + children.nobodyDir());
    }

    // ---- row 2 ----------------------------------------------------------------------------------------------

    private void perTest() throws Exception {
        System.setProperty("prodlike.cache-dir", work.resolve("prodlike-cache").toString());
        double[][] prodlike = new double[2][];
        int k = 0;
        for (int threads : new int[] {1, 4}) {
            System.out.println("row 2: prodlike, " + TESTS + " tests, " + threads + " thread(s)");
            String label = "pertest-" + threads;
            Path reportDir = work.resolve("reports").resolve(label);
            System.setProperty("prodlike.report-dir", reportDir.toString());
            PerTestTestCase.reset();
            double wall = JUnitRun.run(PerTestTestCase.class, threads);
            Stats waits = Stats.ofNanos(PerTestTestCase.WAITS);
            // Every wait, in completion order, for whoever wants the distribution behind p50/p99.
            StringBuilder dump = new StringBuilder();
            for (long n : PerTestTestCase.WAITS) {
                dump.append(String.format(Locale.ROOT, "%.3f%n", n / 1e6));
            }
            Files.writeString(work.resolve(label + "-waits-ms.txt"), dump);
            long over1 = PerTestTestCase.WAITS.stream().filter(n -> n > 1_000_000).count();
            results.number("perTestWaitsOver1Ms" + (threads == 1 ? "1Thread" : "4Threads"), over1);
            Stats bodies = Stats.ofNanos(PerTestTestCase.BODIES);
            Map<String, Double> report = ReportJson.numbers(reportDir.resolve("environment.json"),
                    "cloneWaitP50Ms", "cloneWaitP99Ms", "clonesServed", "cloneCreateMeanMs", "startMs");
            String suffix = threads == 1 ? "1Thread" : "4Threads";
            results.number("perTestWaitP50Ms" + suffix, waits.p50());
            results.number("perTestWaitP99Ms" + suffix, waits.p99());
            results.number("perTestWaitMaxMs" + suffix, waits.max());
            results.number("perTestBodyP50Ms" + suffix, bodies.p50());
            results.number("perTestWallMs" + suffix, wall);
            results.number("perTestMaxConcurrent" + suffix, PerTestTestCase.MAX_IN_FLIGHT.get());
            report.forEach((key, v) -> results.number("perTestReport" + suffix + "_" + key, v));
            if (threads == 4) {
                prodlikeRss = PerTestTestCase.RSS.get();
            }
            prodlike[k++] = new double[] {waits.p50(), waits.p99(), wall, bodies.p50(),
                    report.getOrDefault("cloneCreateMeanMs", Double.NaN), waits.count()};
        }
        System.out.println("row 2: alternatives (zonky server as nobody, data on tmpfs like prodlike's):"
                + " CREATE DATABASE TEMPLATE without prefetch, Flyway clean+migrate per test");
        zonkyBaselines = children.run("zonky-baselines", true, zonkyJvmArgs(), ZonkyMain.class, "baselines",
                String.valueOf(TESTS), String.valueOf(FLYWAY_TESTS), SHM);
        Map<String, Double> b = zonkyBaselines;
        results.number("perTestWaitP50Ms", prodlike[1][0]);
        results.number("perTestWaitP99Ms4Threads", prodlike[1][1]);
        results.number("flywayPerTestMs", b.get("flyway1P50"));
        results.number("flywayPerTestP50Ms4Threads", b.get("flyway4P50"));
        results.number("templatePerTestP50Ms1Thread", b.get("tplWAL_LOG1P50"));
        results.number("templatePerTestP99Ms1Thread", b.get("tplWAL_LOG1P99"));
        results.number("templatePerTestP50Ms4Threads", b.get("tplWAL_LOG4P50"));
        results.number("templatePerTestP99Ms4Threads", b.get("tplWAL_LOG4P99"));
        results.number("templateFileCopyPerTestP50Ms4Threads", b.get("tplFILE_COPY4P50"));
        results.number("templateFileCopyPerTestP99Ms4Threads", b.get("tplFILE_COPY4P99"));
        String[] names = {"1 thread", "4 threads"};
        for (int i = 0; i < 2; i++) {
            int threads = i == 0 ? 1 : 4;
            double[] p = prodlike[i];
            String alt = "CREATE DATABASE TEMPLATE, no prefetch: " + pair(b, "tplWAL_LOG" + threads)
                    + "; same with STRATEGY FILE_COPY: " + pair(b, "tplFILE_COPY" + threads)
                    + "; Flyway clean+migrate (" + FLYWAY_TESTS + " tests): " + pair(b, "flyway" + threads);
            String target = i == 1 ? "p50 ≤ 3 ms, p99 ≤ 20 ms: " + verdict(p[0] <= 3 && p[1] <= 20) : "reported";
            results.row("2", "Wait for a fresh migrated DB per test, p50 / p99, " + TESTS + " tests, " + names[i],
                    Results.ms(p[0]) + " / " + Results.ms(p[1]) + " (test body p50 " + Results.ms(p[3])
                            + "; clone create mean " + Results.ms(p[4]) + ")",
                    alt, "p50 " + Results.faster(b.getOrDefault("tplWAL_LOG" + threads + "P50", Double.NaN), p[0])
                            + " than template, " + Results.faster(b.getOrDefault("flyway" + threads + "P50",
                            Double.NaN), p[0]) + " than Flyway", target);
            results.row("2", "Whole suite wall time, " + TESTS + " tests, " + names[i], Results.ms(p[2]),
                    "template (WAL_LOG, create+test+drop): " + Results.ms(b.getOrDefault("tplWAL_LOG" + threads
                            + "WallMs", Double.NaN)) + "; Flyway: " + Results.ms(b.getOrDefault("flyway" + threads
                            + "WallMs", Double.NaN)) + " for " + FLYWAY_TESTS + " tests",
                    Results.faster(b.getOrDefault("tplWAL_LOG" + threads + "WallMs", Double.NaN), p[2])
                            + " than template", "reported");
        }
    }

    private static String pair(Map<String, Double> b, String key) {
        return Results.ms(b.getOrDefault(key + "P50", Double.NaN)) + " / " + Results.ms(b.getOrDefault(key + "P99",
                Double.NaN));
    }

    // ---- rows 3 and 4 ---------------------------------------------------------------------------------------

    private double redisRssMb = Double.NaN;

    private void redisRow() throws IOException {
        System.out.println("row 3: prodlike @RedisSession, " + RedisTestCase.TESTS + " tests, 4 threads");
        Path reportDir = work.resolve("reports").resolve("redis-4");
        System.setProperty("prodlike.report-dir", reportDir.toString());
        RedisTestCase.reset();
        double wall = JUnitRun.run(RedisTestCase.class, 4);
        Stats waits = Stats.ofNanos(RedisTestCase.WAITS);
        Map<String, Double> report = ReportJson.numbers(reportDir.resolve("environment.json"), "startMs",
                "resetP50Ms", "resetP99Ms");
        Rss.Sample rss = RedisTestCase.RSS.get();
        redisRssMb = rss == null ? Double.NaN : rss.rssMb();
        System.out.println("row 3: a server per class (org.signal RedisServer), " + REDIS_CLASSES + " classes of "
                + REDIS_TESTS_PER_CLASS + " tests");
        RedisPerClass.Result alt = RedisPerClass.measure(REDIS_CLASSES, REDIS_TESTS_PER_CLASS);
        double start = report.getOrDefault("startMs", Double.NaN);
        results.number("redisResetMs", waits.p50());
        results.number("redisResetP99Ms", waits.p99());
        results.number("redisResetFlushdbP50Ms", report.getOrDefault("resetP50Ms", Double.NaN));
        results.number("redisStartMs", start);
        results.number("redisWallMs4Threads", wall);
        results.number("redisPerClassStartMs", alt.startToReady().p50());
        results.number("redisPerClassStopMs", alt.stop().p50());
        results.number("redisPerClassFlushallMs", alt.flushPerTest().p50());
        results.row("3", "Redis: wait for an empty keyspace per test, p50 / p99, " + RedisTestCase.TESTS
                        + " tests, 4 threads",
                Results.ms(waits.p50()) + " / " + Results.ms(waits.p99()) + " (lease + FLUSHDB + a new connection;"
                        + " FLUSHDB alone p50 " + Results.ms(report.getOrDefault("resetP50Ms", Double.NaN)) + ")",
                "server per class, FLUSHALL per test: " + Results.ms(alt.flushPerTest().p50()) + " / "
                        + Results.ms(alt.flushPerTest().p99()) + " (sequential, one class at a time)",
                Results.faster(alt.flushPerTest().p50(), waits.p50()), "reported");
        results.row("3", "Redis: server start to first PING", Results.ms(start) + " once per JVM (shared by every class)",
                "server per class: " + Results.ms(alt.startToReady().p50()) + " start + "
                        + Results.ms(alt.stop().p50()) + " stop, per class (median of " + REDIS_CLASSES + ")",
                "saves " + Results.ms(alt.startToReady().p50() + alt.stop().p50()) + " per class after the first",
                "reported");
    }

    private void rlsRow() {
        System.out.println("row 4: RLS audit of 100 tenant tables");
        System.setProperty("prodlike.report-dir", work.resolve("reports").resolve("rls").toString());
        JUnitRun.run(RlsAuditTestCase.class, 1);
        var first = RlsAuditTestCase.first;
        var second = RlsAuditTestCase.second;
        double firstMs = first.elapsed().toNanos() / 1e6;
        double secondMs = second.elapsed().toNanos() / 1e6;
        results.number("rlsAudit100TablesMs", firstMs);
        results.number("rlsAudit100TablesSecondRunMs", secondMs);
        results.number("rlsAudit100TablesStaticOnlyMs", RlsAuditTestCase.staticOnlyMs);
        results.number("rlsAuditTenantTables", first.tenantTables().size());
        results.number("rlsAuditFindings", first.findings().size());
        results.row("4", "RLS audit (static + dynamic) of " + first.tenantTables().size() + " tenant tables, "
                        + first.tenants().size() + " tenants, first run in the JVM",
                Results.ms(firstMs) + " (second run " + Results.ms(secondMs) + ", static only "
                        + Results.ms(RlsAuditTestCase.staticOnlyMs) + "); " + first.findings().size() + " findings",
                "no common alternative: hand-written per-table isolation tests", "",
                "≤ 1 s: " + verdict(firstMs <= 1000));
    }

    // ---- row 5 ----------------------------------------------------------------------------------------------

    private void memoryRow() {
        double pg = prodlikeRss == null ? Double.NaN : prodlikeRss.rssMb();
        double pss = prodlikeRss == null ? Double.NaN : prodlikeRss.pssMb();
        double z = zonkyBaselines == null ? Double.NaN : zonkyBaselines.getOrDefault("tplWAL_LOG4RssMb", Double.NaN);
        double zp = zonkyBaselines == null ? Double.NaN : zonkyBaselines.getOrDefault("tplWAL_LOG4PssMb", Double.NaN);
        results.number("postgresRssMb", pg);
        results.number("postgresPssMb", pss);
        results.number("postgresRssMbZonky", z);
        results.number("redisRssMb", redisRssMb);
        results.row("5", "Resident memory of PostgreSQL during row 2 at 4 threads (VmRSS summed over postmaster +"
                        + " children; Pss in brackets), max of 8 samples",
                Results.mb(pg) + " (" + Results.mb(pss) + ")" + (prodlikeRss == null ? ""
                        : ", " + prodlikeRss.processes() + " processes"),
                "zonky server, template baseline at 4 threads: " + Results.mb(z) + " (" + Results.mb(zp) + ")",
                Results.times(z / pg) + " prodlike's RSS", "reported");
        results.row("5", "Resident memory of Redis during row 3", Double.isNaN(redisRssMb) ? "n/a (module not ready)"
                : Results.mb(redisRssMb), "", "", "reported");
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String verdict(boolean met) {
        return met ? "**met**" : "**missed**";
    }

    static double median(List<Map<String, Double>> runs, String key) {
        List<Double> values = new ArrayList<>();
        for (Map<String, Double> r : runs) {
            Double v = r.get(key);
            if (v != null) {
                values.add(v);
            }
        }
        return new Stats(values).p50();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

}
