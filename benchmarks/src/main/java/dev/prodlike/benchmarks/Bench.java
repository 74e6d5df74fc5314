package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
    static final int COLD_RUNS = 7;
    /** Tests per configuration in row 2. */
    static final int TESTS = PerTestTestCase.TESTS;
    /** Flyway clean+migrate per test is by far the slowest: fewer tests keep the run within minutes. */
    static final int FLYWAY_TESTS = 20;
    /** Row 2: prodlike and the template baseline alternate this many times; each side's best round counts. */
    static final int SUITE_ROUNDS = 2;
    /** Row 6: tests per suite on the scale schema (each clone copies ~90 MB: fewer tests keep the run short). */
    static final int SCALE_TESTS = PerTest300TestCase.TESTS;
    /** Row 6: fresh JVMs for prodlike's cold start on the scale schema. */
    static final int SCALE_COLD_RUNS = 3;
    /** Row 6: zonky + Flyway migrates 300 tables and 50 MB in every run (~15 s on a busy machine): one run. */
    static final int SCALE_ZONKY_COLD_RUNS = 1;
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
        try {
            runRows();
        } finally {
            // whatever was measured before a failure is kept
            results.write(target);
        }
    }

    private void runRows() throws Exception {
        deleteRecursively(work);
        Files.createDirectories(work);
        System.out.println("benchmarks: running as "
                + (Children.runningAsRoot()
                        ? "root (zonky side in a child JVM as user nobody; prodlike runs its server as nobody itself)"
                        : System.getProperty("user.name"))
                + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        String loadBefore = loadAverage();
        System.out.println("benchmarks: load average (1/5/15 min) at start: " + loadBefore + "; " + uptime());
        results.number("loadAverage1MinAtStart", Double.parseDouble(loadBefore.split(" ")[0]));
        // -Dbench.proxy=off (network.proxy=off): prodlike's sides without the per-test network proxy
        boolean proxy = !"off".equals(System.getProperty("prodlike.network.proxy", "on"));
        System.out.println("benchmarks: prodlike's network proxy " + (proxy ? "on" : "off (network.proxy=off)"));
        results.number("networkProxyOn", proxy ? 1 : 0);
        // -Dbench.rows=2,6 runs only those rows (for working on one of them); the default runs all but 2p (the
        // proxy's cost to a whole suite, on and off in pairs).
        String rows = System.getProperty("bench.rows", "1,2,3,3c,4,5,6");
        List<String> selected = List.of(rows.split(","));
        if (selected.contains("1")) {
            coldStart();
        }
        if (selected.contains("2")) {
            perTest();
        }
        if (selected.contains("2") || selected.contains("2b")) {
            readOnlyRow();
        }
        if (selected.contains("2p")) { // opt-in: about 10 minutes on 2 CPUs
            warmCache();
            new ProxyCostRow(work, results).run();
        }
        if (selected.contains("6")) {
            scaleRow();
        }
        if (selected.contains("3")) {
            redisRow();
        }
        if (selected.contains("3c")) {
            new RedisClusterRow(work, results).run();
        }
        if (selected.contains("3") || selected.contains("3b")) {
            redisCommandCostRow();
        }
        if (selected.contains("4")) {
            rlsRow();
        }
        memoryRow();
        String loadAfter = loadAverage();
        System.out.println("benchmarks: load average (1/5/15 min) at end: " + loadAfter + "; " + uptime());
        results.number("loadAverage1MinAtEnd", Double.parseDouble(loadAfter.split(" ")[0]));
        results.note("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs; load average (1/5/15 min) "
                + loadBefore + " at start, " + loadAfter + " at end. Other processes share the CPUs: read the"
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
                + " clean + migrate on one database per thread (" + FLYWAY_TESTS + " tests; per test it took "
                + Results.times(results.get("flywayVsTemplatePerTest")) + " the wait of a FILE_COPY template clone"
                + " in this run). Whole-suite rows: prodlike and the template baseline alternate (" + SUITE_ROUNDS
                + " rounds, both thread counts each round) and each side's best round is reported; the ratio is"
                + " prodlike / the better of WAL_LOG and FILE_COPY. Both walls run from the first test's start to the"
                + " last test's end: the baselines start and migrate their server before the clock, and prodlike's"
                + " server start is row 1 (the wall with it is in brackets).");
        String table = results.markdown();
        System.out.println();
        System.out.println(table);
        results.write(target);
        System.out.println(
                "benchmarks: wrote " + target.resolve("results.md") + " and " + target.resolve("results.json"));
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
        Stats spread = new Stats(
                cached.stream().map(m -> m.getOrDefault("coldMs", Double.NaN)).toList());
        results.number("coldStartMinMs", spread.min());
        results.number("coldStartMaxMs", spread.max());
        results.number("coldStartZonkyMs", z);
        results.number("coldStartRatio", ratio);
        results.number("coldStartUncachedMs", first.getOrDefault("coldMs", Double.NaN));
        results.number("coldStartZonkyFirstMs", zonkyFirst.getOrDefault("coldMs", Double.NaN));
        results.number("coldStartJvmUptimeAtFirstQueryMs", median(cached, "jvmUptimeAtFirstQueryMs"));
        for (String phase : List.of("copyClusterMs", "copyBeforeBootMs", "bootMs", "templateReadyMs")) {
            results.number(
                    "coldStartPhase" + Character.toUpperCase(phase.charAt(0)) + phase.substring(1),
                    median(cached, phase));
        }
        results.number("coldStartZonkyServerMs", median(zonky, "startMs"));
        results.number("coldStartZonkyMigrateMs", median(zonky, "migrateMs"));
        results.row(
                "1",
                "Cold start to first migrated DB (30 migrations, RLS), fresh JVM, median of " + COLD_RUNS,
                Results.ms(p) + " (" + Results.ms(spread.min()) + "–" + Results.ms(spread.max())
                        + " over the " + COLD_RUNS + "; cached migrated cluster: copy "
                        + Results.ms(median(cached, "copyClusterMs"))
                        + ", " + Results.ms(median(cached, "copyBeforeBootMs")) + " of it before the boot; boot "
                        + Results.ms(median(cached, "bootMs")) + ", the rest of the copy meanwhile)",
                "zonky EmbeddedPostgres + Flyway migrate: " + Results.ms(z) + " (server "
                        + Results.ms(median(zonky, "startMs")) + ", migrate " + Results.ms(median(zonky, "migrateMs"))
                        + ")",
                Results.faster(z, p),
                "≥ 3.5×, ≤ 600 ms: " + verdict(ratio >= 3.5 && p <= 600));
        results.number("coldStartZonkyTmpfsMs", zs);
        results.row(
                "1",
                "Same, zonky's data directory on tmpfs too (not zonky's default; median of " + ZONKY_SHM_RUNS + ")",
                Results.ms(p),
                "zonky EmbeddedPostgres + Flyway migrate, data on tmpfs: " + Results.ms(zs)
                        + " (server " + Results.ms(median(zonkyShm, "startMs")) + ", migrate "
                        + Results.ms(median(zonkyShm, "migrateMs")) + ")",
                Results.faster(zs, p),
                "reported");
        results.row(
                "1",
                "First run, nothing cached (prodlike: unpack binaries, initdb, migrate, cache the cluster)",
                Results.ms(first.getOrDefault("coldMs", Double.NaN)),
                "zonky first run (extracts binaries, initdb, migrate): "
                        + Results.ms(zonkyFirst.getOrDefault("coldMs", Double.NaN)),
                Results.faster(zonkyFirst.getOrDefault("coldMs", Double.NaN), first.getOrDefault("coldMs", Double.NaN)),
                "reported");
    }

    private Map<String, Double> prodlikeCold(String label, Path cache) {
        return children.run(
                label,
                false,
                List.of(
                        "-Dprodlike.cache-dir=" + cache,
                        "-Dprodlike.report-dir=" + work.resolve("reports").resolve(label)),
                ColdStartMain.class);
    }

    private List<String> zonkyJvmArgs() throws IOException {
        return List.of("-Djava.io.tmpdir=" + children.nobodyDir());
    }

    // ---- row 2 ----------------------------------------------------------------------------------------------

    /** One prodlike run of row 2: the suite's wall time and what happened inside it. */
    private record Run(
            double wall,
            double wallWithStart,
            Stats waits,
            Stats bodies,
            Map<String, Double> report,
            Rss.Sample rss,
            int maxInFlight) {}

    private Run prodlikeSuite(Class<?> fixture, int threads, String label) throws IOException {
        Path reportDir = work.resolve("reports").resolve(label);
        System.setProperty("prodlike.report-dir", reportDir.toString());
        PerTestTestCase.reset();
        double withStart = JUnitRun.run(fixture, threads);
        // Like the baselines' walls: from the first test to the last; the server's start is row 1's subject.
        double wall = PerTestTestCase.testsWallMs();
        // Every wait, in completion order, for whoever wants the distribution behind p50/p99.
        StringBuilder dump = new StringBuilder();
        for (long n : PerTestTestCase.WAITS) {
            dump.append(String.format(Locale.ROOT, "%.3f%n", n / 1e6));
        }
        Files.writeString(work.resolve(label + "-waits-ms.txt"), dump);
        Map<String, Double> report = ReportJson.numbers(
                reportDir.resolve("environment.json"),
                "cloneWaitP50Ms",
                "cloneWaitP99Ms",
                "clonesServed",
                "cloneCreateMeanMs",
                "startMs",
                "clonesReset",
                "cloneResetMeanMs");
        return new Run(
                wall,
                withStart,
                Stats.ofNanos(PerTestTestCase.WAITS),
                Stats.ofNanos(PerTestTestCase.BODIES),
                report,
                PerTestTestCase.RSS.get(),
                PerTestTestCase.MAX_IN_FLIGHT.get());
    }

    private Map<String, Double> templateSuite(int threads, int tests, String locations, String label)
            throws IOException {
        return templateSuite(threads, tests, locations, label, false);
    }

    private Map<String, Double> templateSuite(int threads, int tests, String locations, String label, boolean readOnly)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "template", String.valueOf(threads), String.valueOf(tests), SHM, locations == null ? "-" : locations));
        if (readOnly) {
            args.add("readonly");
        }
        return children.run(label, true, zonkyJvmArgs(), ZonkyMain.class, args.toArray(String[]::new));
    }

    private void perTest() throws Exception {
        warmCache();
        suites();
    }

    private void warmCache() throws IOException {
        System.setProperty("prodlike.cache-dir", work.resolve("prodlike-cache").toString());
        if (!Files.isDirectory(
                work.resolve("prodlike-cache").resolve("postgres").resolve("migrated"))) {
            System.out.println("row 2: caching the migrated cluster first (row 1 did not run)");
            prodlikeCold("warm-cache", work.resolve("prodlike-cache"));
        }
    }

    private void suites() throws Exception {
        // prodlike and the template baseline alternate, round after round, so that both see the same load; each
        // side's best round is reported (the machine is shared: the best round is the least disturbed one).
        Map<Integer, List<Run>> runs = new LinkedHashMap<>();
        Map<Integer, List<Map<String, Double>>> templates = new LinkedHashMap<>();
        for (int round = 1; round <= SUITE_ROUNDS; round++) {
            if (round == 1) {
                results.number("templateDatabaseBytes", Double.NaN);
            }
            for (int threads : new int[] {1, 4}) {
                System.out.println("row 2: round " + round + "/" + SUITE_ROUNDS + ", prodlike, " + TESTS + " tests, "
                        + threads + " thread(s); load " + loadAverage());
                runs.computeIfAbsent(threads, t -> new ArrayList<>())
                        .add(prodlikeSuite(PerTestTestCase.class, threads, "pertest-" + threads + "-r" + round));
                System.out.println("row 2: round " + round + "/" + SUITE_ROUNDS + ", CREATE DATABASE ... TEMPLATE per"
                        + " test (WAL_LOG, then FILE_COPY), zonky server as nobody, data on tmpfs, " + threads
                        + " thread(s); load " + loadAverage());
                Map<String, Double> t = templateSuite(threads, TESTS, null, "template-" + threads + "-r" + round);
                templates.computeIfAbsent(threads, k -> new ArrayList<>()).add(t);
                results.number("templateDatabaseBytes", t.getOrDefault("tplDatabaseBytes", Double.NaN));
            }
        }
        System.out.println("row 2: Flyway clean+migrate per test, " + FLYWAY_TESTS + " tests at 1 and 4 threads");
        Map<String, Double> flyway = children.run(
                "flyway", true, zonkyJvmArgs(), ZonkyMain.class, "flyway", String.valueOf(FLYWAY_TESTS), SHM);
        Map<String, Double> b = new LinkedHashMap<>(flyway);
        double[] best = new double[2];
        double[] bestTemplate = new double[2];
        String[] suffixes = {"1Thread", "4Threads"};
        int i = 0;
        for (int threads : new int[] {1, 4}) {
            String suffix = suffixes[i];
            Run run = runs.get(threads).stream()
                    .min(Comparator.comparingDouble(Run::wall))
                    .orElseThrow();
            // The template side: per strategy, its best round; then the better strategy.
            Map<String, Double> tpl = new LinkedHashMap<>();
            for (String strategy : List.of("WAL_LOG", "FILE_COPY")) {
                String key = "tpl" + strategy + threads;
                Map<String, Double> bestRound = templates.get(threads).stream()
                        .min(Comparator.comparingDouble(m -> m.getOrDefault(key + "WallMs", Double.MAX_VALUE)))
                        .orElseThrow();
                bestRound.forEach((k, v) -> {
                    if (k.startsWith(key)) {
                        tpl.put(k, v);
                    }
                });
            }
            b.putAll(tpl);
            double wal = tpl.getOrDefault("tplWAL_LOG" + threads + "WallMs", Double.NaN);
            double fileCopy = tpl.getOrDefault("tplFILE_COPY" + threads + "WallMs", Double.NaN);
            double template = Math.min(wal, fileCopy);
            String better = fileCopy <= wal ? "FILE_COPY" : "WAL_LOG";
            best[i] = run.wall();
            bestTemplate[i] = template;
            results.number("perTestWaitP50Ms" + suffix, run.waits().p50());
            results.number("perTestWaitP99Ms" + suffix, run.waits().p99());
            results.number("perTestWaitMaxMs" + suffix, run.waits().max());
            results.number("perTestWaitsOver1Ms" + suffix, run.waits().countOver(1.0));
            results.number("perTestBodyP50Ms" + suffix, run.bodies().p50());
            results.number("perTestWallMs" + suffix, run.wall());
            results.number("perTestWallWithServerStartMs" + suffix, run.wallWithStart());
            results.number("perTestMaxConcurrent" + suffix, run.maxInFlight());
            run.report().forEach((key, v) -> results.number("perTestReport" + suffix + "_" + key, v));
            results.number("templateSuiteWallMs" + suffix, template);
            results.number("suiteWallRatio" + suffix, run.wall() / template);
            for (int r = 0; r < SUITE_ROUNDS; r++) {
                results.number(
                        "perTestWallMs" + suffix + "Round" + (r + 1),
                        runs.get(threads).get(r).wall());
                results.number(
                        "templateSuiteWallMs" + suffix + "Round" + (r + 1),
                        Math.min(
                                templates
                                        .get(threads)
                                        .get(r)
                                        .getOrDefault("tplWAL_LOG" + threads + "WallMs", Double.NaN),
                                templates
                                        .get(threads)
                                        .get(r)
                                        .getOrDefault("tplFILE_COPY" + threads + "WallMs", Double.NaN)));
            }
            if (threads == 4) {
                prodlikeRss = runs.get(4).stream()
                        .map(Run::rss)
                        .filter(Objects::nonNull)
                        .reduce((x, y) -> x.max(y))
                        .orElse(null);
            }
            String alt = "CREATE DATABASE TEMPLATE, no prefetch: " + pair(b, "tplWAL_LOG" + threads)
                    + "; same with STRATEGY FILE_COPY: " + pair(b, "tplFILE_COPY" + threads)
                    + "; Flyway clean+migrate (" + FLYWAY_TESTS + " tests): " + pair(b, "flyway" + threads);
            results.row(
                    "2",
                    "Wait for a fresh migrated DB per test, p50 / p99, " + TESTS + " tests, " + threads
                            + (threads == 1 ? " thread" : " threads"),
                    Results.ms(run.waits().p50()) + " / "
                            + Results.ms(run.waits().p99()) + " (test body p50 "
                            + Results.ms(run.bodies().p50()) + "; clone create mean "
                            + Results.ms(run.report().getOrDefault("cloneCreateMeanMs", Double.NaN)) + "; "
                            + Results.count(run.report().getOrDefault("clonesReset", Double.NaN)) + " of " + TESTS
                            + " databases reset and handed on, reset mean "
                            + Results.ms(run.report().getOrDefault("cloneResetMeanMs", Double.NaN)) + ")",
                    alt,
                    "p50 "
                            + Results.faster(
                                    b.getOrDefault("tplFILE_COPY" + threads + "P50", Double.NaN),
                                    run.waits().p50())
                            + " than template (FILE_COPY)",
                    "reported");
            results.row(
                    "2",
                    "**Whole suite wall time, " + TESTS + " tests, " + threads
                            + (threads == 1 ? " thread" : " threads") + "** (best of " + SUITE_ROUNDS
                            + " interleaved rounds)",
                    Results.ms(run.wall()) + " (" + Results.ms(run.wallWithStart()) + " with the server's start)",
                    "template per test, create+test+drop: WAL_LOG "
                            + Results.ms(wal) + ", FILE_COPY " + Results.ms(fileCopy) + "; Flyway: "
                            + Results.ms(b.getOrDefault("flyway" + threads + "WallMs", Double.NaN)) + " for "
                            + FLYWAY_TESTS + " tests",
                    String.format(Locale.ROOT, "%.2f×", run.wall() / template) + " the better template (" + better
                            + ")",
                    "≤ 0.8×: " + verdict(run.wall() / template <= 0.8));
            i++;
        }
        zonkyBaselines = b;
        double speedup = best[0] / best[1];
        results.number("parallelSpeedup", speedup);
        results.number("templateParallelSpeedup", bestTemplate[0] / bestTemplate[1]);
        results.row(
                "2",
                "Parallel speed-up, whole suite, 1 thread / 4 threads",
                Results.times(speedup),
                "template per test (better strategy): " + Results.times(bestTemplate[0] / bestTemplate[1]),
                "",
                "≥ 1.0× (parallel never slower): " + verdict(speedup >= 1.0));
        results.number("perTestWaitP50Ms", results.get("perTestWaitP50Ms4Threads"));
        results.number("flywayPerTestMs", b.get("flyway1P50"));
        results.number("flywayPerTestP50Ms4Threads", b.get("flyway4P50"));
        results.number("templatePerTestP50Ms1Thread", b.get("tplWAL_LOG1P50"));
        results.number("templatePerTestP99Ms1Thread", b.get("tplWAL_LOG1P99"));
        results.number("templatePerTestP50Ms4Threads", b.get("tplWAL_LOG4P50"));
        results.number("templatePerTestP99Ms4Threads", b.get("tplWAL_LOG4P99"));
        results.number("templateFileCopyPerTestP50Ms4Threads", b.get("tplFILE_COPY4P50"));
        results.number("templateFileCopyPerTestP99Ms4Threads", b.get("tplFILE_COPY4P99"));
        results.number("flywayVsTemplatePerTest", b.get("flyway1P50") / b.get("tplFILE_COPY1P50"));
    }

    // ---- row 2b: read-only tests ------------------------------------------------------------------------------

    private void readOnlyRow() throws Exception {
        warmCache();
        System.out.println("row 2b: prodlike, " + TESTS + " read-only tests, 4 threads; load " + loadAverage());
        Run run = prodlikeSuite(PerTestReadOnlyTestCase.class, 4, "readonly-4");
        Map<String, Double> report = ReportJson.numbers(
                work.resolve("reports").resolve("readonly-4").resolve("environment.json"),
                "clonesReused",
                "clonesServed",
                "clonesCheckedChanged",
                "clonesCheckedUndecided");
        System.out.println(
                "row 2b: CREATE DATABASE ... TEMPLATE per test, read-only tests, 4 threads; load " + loadAverage());
        Map<String, Double> tpl = templateSuite(4, TESTS, null, "template-readonly-4", true);
        double wal = tpl.getOrDefault("tplWAL_LOG4WallMs", Double.NaN);
        double fileCopy = tpl.getOrDefault("tplFILE_COPY4WallMs", Double.NaN);
        double template = Math.min(wal, fileCopy);
        double reused = report.getOrDefault("clonesReused", Double.NaN);
        results.number("perTestWallMsReadOnly4Threads", run.wall());
        results.number("perTestWallWithServerStartMsReadOnly4Threads", run.wallWithStart());
        results.number("templateSuiteWallMsReadOnly4Threads", template);
        results.number("suiteWallRatioReadOnly4Threads", run.wall() / template);
        results.number("clonesReusedReadOnly4Threads", reused);
        results.number("clonesCheckedChangedReadOnly4Threads", report.getOrDefault("clonesCheckedChanged", Double.NaN));
        results.number(
                "clonesCheckedUndecidedReadOnly4Threads", report.getOrDefault("clonesCheckedUndecided", Double.NaN));
        results.row(
                "2b",
                "Whole suite wall time, " + TESTS + " read-only tests, 4 threads (databases whose test"
                        + " changed nothing are handed on, not dropped and cloned again)",
                Results.ms(run.wall()) + " (" + Results.count(reused) + " of " + TESTS + " databases handed on)",
                "template per test: WAL_LOG " + Results.ms(wal) + ", FILE_COPY " + Results.ms(fileCopy),
                Results.times(run.wall() / template) + " the better template",
                "reported");
    }

    // ---- row 6: scale ---------------------------------------------------------------------------------------

    private void scaleRow() throws Exception {
        Path cache = work.resolve("prodlike-cache");
        System.out.println("row 6: scale schema (30 migrations + 300 tables + ~50 MB reference rows): prodlike first"
                + " run (migrates and caches); load " + loadAverage());
        Map<String, Double> first = children.run(
                "prodlike-300-uncached",
                false,
                List.of(
                        "-Dprodlike.cache-dir=" + cache,
                        "-Dprodlike.report-dir=" + work.resolve("reports").resolve("cold-300-uncached")),
                ColdStartMain.class,
                "scale");
        List<Map<String, Double>> cached = new ArrayList<>();
        for (int r = 1; r <= SCALE_COLD_RUNS; r++) {
            System.out.println(
                    "row 6: cold start, prodlike cached, scale schema, fresh JVM " + r + "/" + SCALE_COLD_RUNS);
            cached.add(children.run(
                    "prodlike-300-cached-" + r,
                    false,
                    List.of(
                            "-Dprodlike.cache-dir=" + cache,
                            "-Dprodlike.report-dir=" + work.resolve("reports").resolve("cold-300-" + r)),
                    ColdStartMain.class,
                    "scale"));
        }
        List<Map<String, Double>> zonky = new ArrayList<>();
        for (int r = 1; r <= SCALE_ZONKY_COLD_RUNS; r++) {
            System.out.println("row 6: cold start, zonky + Flyway, scale schema, data on tmpfs, fresh JVM " + r + "/"
                    + SCALE_ZONKY_COLD_RUNS);
            zonky.add(children.run(
                    "zonky-300-cold-" + r,
                    true,
                    zonkyJvmArgs(),
                    ZonkyMain.class,
                    "cold",
                    SHM,
                    ZonkyMain.SCALE_LOCATIONS));
        }
        System.out.println("row 6: prodlike, scale schema, " + SCALE_TESTS + " tests, 1 thread; load " + loadAverage());
        Run run = prodlikeSuite(PerTest300TestCase.class, 1, "pertest300-1");
        System.out.println(
                "row 6: CREATE DATABASE ... TEMPLATE per test, scale schema, 1 thread; load " + loadAverage());
        Map<String, Double> tpl = templateSuite(1, SCALE_TESTS, ZonkyMain.SCALE_LOCATIONS, "template300-1");
        double p = median(cached, "coldMs");
        double z = median(zonky, "coldMs");
        double wal = tpl.getOrDefault("tplWAL_LOG1WallMs", Double.NaN);
        double fileCopy = tpl.getOrDefault("tplFILE_COPY1WallMs", Double.NaN);
        double template = Math.min(wal, fileCopy);
        double base = results.get("perTestWallMs1Thread");
        double baseTemplate = results.get("templateSuiteWallMs1Thread");
        // per test: the scale suite runs SCALE_TESTS tests, row 2 ran TESTS
        double growth = (run.wall() / SCALE_TESTS) / (base / TESTS);
        double templateGrowth = (template / SCALE_TESTS) / (baseTemplate / TESTS);
        double schemaGrowth = tpl.getOrDefault("tplDatabaseBytes", Double.NaN) / results.get("templateDatabaseBytes");
        results.number("coldStartMs300Tables", p);
        results.number("coldStartZonkyTmpfsMs300Tables", z);
        results.number("coldStartUncachedMs300Tables", first.getOrDefault("coldMs", Double.NaN));
        results.number("coldStartPhaseCopyClusterMs300Tables", median(cached, "copyClusterMs"));
        results.number("scaleTests", SCALE_TESTS);
        results.number("perTestWallMs1Thread300Tables", run.wall());
        results.number("perTestWallWithServerStartMs1Thread300Tables", run.wallWithStart());
        results.number("perTestMs1Thread300Tables", run.wall() / SCALE_TESTS);
        results.number("templatePerTestMs1Thread300Tables", template / SCALE_TESTS);
        results.number("perTestBodyP50Ms1Thread300Tables", run.bodies().p50());
        results.number("perTestWaitP50Ms1Thread300Tables", run.waits().p50());
        results.number("perTestWaitP99Ms1Thread300Tables", run.waits().p99());
        results.number("templateSuiteWallMs1Thread300Tables", template);
        results.number("suiteWallRatio1Thread300Tables", run.wall() / template);
        results.number("perTestGrowthFactor300Tables", growth);
        results.number("templatePerTestGrowthFactor300Tables", templateGrowth);
        results.number("templateDatabaseBytes300Tables", tpl.getOrDefault("tplDatabaseBytes", Double.NaN));
        results.number("schemaGrowthFactor300Tables", schemaGrowth);
        results.row(
                "6",
                "Scale: cold start, 30 migrations + 300 tables + ~50 MB reference rows ("
                        + Results.mb(tpl.getOrDefault("tplDatabaseBytes", Double.NaN) / 1048576.0)
                        + " database), fresh JVM, prodlike median of " + SCALE_COLD_RUNS + ", zonky "
                        + SCALE_ZONKY_COLD_RUNS + " run",
                Results.ms(p) + " (copy " + Results.ms(median(cached, "copyClusterMs")) + "; first run, nothing"
                        + " cached: " + Results.ms(first.getOrDefault("coldMs", Double.NaN)) + ")",
                "zonky + Flyway, data on tmpfs: " + Results.ms(z),
                Results.faster(z, p),
                "reported");
        results.row(
                "6",
                "Scale: whole suite, " + SCALE_TESTS + " tests, 1 thread",
                Results.ms(run.wall()) + " (wait p50 / p99 "
                        + Results.ms(run.waits().p50()) + " / "
                        + Results.ms(run.waits().p99()) + ")",
                "template per test: WAL_LOG " + Results.ms(wal) + ", FILE_COPY " + Results.ms(fileCopy),
                Results.times(run.wall() / template) + " the better template",
                "reported");
        results.row(
                "6",
                "Scale: per-test growth, scale schema / 30-migration schema (database " + Results.times(schemaGrowth)
                        + " larger)",
                Results.times(growth) + " (" + Results.ms(base / TESTS) + " → " + Results.ms(run.wall() / SCALE_TESTS)
                        + " per test)",
                "template per test: "
                        + Results.times(templateGrowth) + " (" + Results.ms(baseTemplate / TESTS) + " → "
                        + Results.ms(template / SCALE_TESTS) + ")",
                "",
                "grows far slower than the schema: " + verdict(growth < 0.5 * schemaGrowth));
    }

    private static String pair(Map<String, Double> b, String key) {
        return Results.ms(b.getOrDefault(key + "P50", Double.NaN)) + " / "
                + Results.ms(b.getOrDefault(key + "P99", Double.NaN));
    }

    // ---- rows 3 and 4 ---------------------------------------------------------------------------------------

    private double redisRssMb = Double.NaN;

    /** Row 3b: what the test's network proxy adds to one Redis command (GET, one connection, sequential). */
    private void redisCommandCostRow() {
        System.out.println("row 3b: Redis GET through the test's proxy vs straight to the server");
        RedisCommandCostTestCase.reset();
        JUnitRun.run(RedisCommandCostTestCase.class, 1);
        Stats proxied = Stats.ofNanos(RedisCommandCostTestCase.PROXIED);
        Stats direct = Stats.ofNanos(RedisCommandCostTestCase.DIRECT);
        results.number("redisCommandProxiedP50Ms", proxied.p50());
        results.number("redisCommandDirectP50Ms", direct.p50());
        results.row(
                "3b",
                "Redis: one GET, p50 / p99, through the test's network proxy ("
                        + RedisCommandCostTestCase.BLOCKS * RedisCommandCostTestCase.PER_BLOCK + " each, alternating)",
                Results.ms(proxied.p50()) + " / " + Results.ms(proxied.p99()),
                "straight to the server: " + Results.ms(direct.p50()) + " / " + Results.ms(direct.p99()),
                Results.times(proxied.p50() / direct.p50()),
                "the proxy's cost per command (network.proxy=off" + " removes it)");
    }

    private void redisRow() throws IOException {
        System.out.println("row 3: prodlike @RedisSession, " + RedisTestCase.TESTS + " tests, 4 threads");
        Path reportDir = work.resolve("reports").resolve("redis-4");
        System.setProperty("prodlike.report-dir", reportDir.toString());
        RedisTestCase.reset();
        WaitClock.split = true;
        double wall;
        try {
            wall = JUnitRun.run(RedisTestCase.class, 4);
        } finally {
            WaitClock.split = false;
        }
        Stats waits = Stats.ofNanos(RedisTestCase.WAITS);
        Map<String, Double> report = ReportJson.numbers(
                reportDir.resolve("environment.json"),
                "startMs",
                "resetP50Ms",
                "resetP99Ms",
                "resetsInBackground",
                "testsServed",
                "warmUpMs");
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
        results.row(
                "3",
                "Redis: wait for an empty keyspace per test, p50 / p99, " + RedisTestCase.TESTS + " tests, 4 threads",
                Results.ms(waits.p50()) + " / " + Results.ms(waits.p99()) + " (lease of a database emptied in the"
                        + " background when it came back, with a connection opened then: "
                        + Results.count(report.getOrDefault("resetsInBackground", Double.NaN)) + " of "
                        + Results.count(report.getOrDefault("testsServed", Double.NaN)) + " leases needed no round"
                        + " trip; reset at lease p50 " + Results.ms(report.getOrDefault("resetP50Ms", Double.NaN))
                        + ")",
                "server per class, FLUSHALL per test: "
                        + Results.ms(alt.flushPerTest().p50()) + " / "
                        + Results.ms(alt.flushPerTest().p99()) + " (sequential, one class at a time)",
                Results.faster(alt.flushPerTest().p50(), waits.p50()),
                "≤ 1 ms p50, ≤ 5 ms p99: " + verdict(waits.p50() <= 1 && waits.p99() <= 5));
        results.number("redisResetsInBackground", report.getOrDefault("resetsInBackground", Double.NaN));
        results.number("redisWarmUpMs", report.getOrDefault("warmUpMs", Double.NaN));
        slowestRedisWaits();
        double warmUp = report.getOrDefault("warmUpMs", Double.NaN);
        results.row(
                "3",
                "Redis: server start to first PING",
                Results.ms(start) + " once per JVM (shared by every class)"
                        + (Double.isNaN(warmUp)
                                ? ""
                                : ", then " + Results.ms(warmUp) + " getting ready for the first"
                                        + " test (first flushes and connections, one lease through the test path)"),
                "server per class: " + Results.ms(alt.startToReady().p50()) + " start + "
                        + Results.ms(alt.stop().p50()) + " stop, per class (median of " + REDIS_CLASSES + ")",
                "saves " + Results.ms(alt.startToReady().p50() + alt.stop().p50()) + " per class after the first",
                "reported");
    }

    /**
     * Row 3's tail: the slowest 2% of the waits, each split into time on a CPU, runnable but waiting for a CPU, and
     * blocked (neither: locks, I/O, GC and other safepoints), from the test thread's Linux schedstat.
     */
    private void slowestRedisWaits() {
        List<long[]> all = new ArrayList<>(RedisTestCase.BREAKDOWNS);
        if (all.isEmpty()) {
            return;
        }
        all.sort((a, b) -> Long.compare(b[0], a[0]));
        int n = (int) Math.ceil(all.size() * 0.02);
        double cpu = 0;
        double queued = 0;
        double blocked = 0;
        StringBuilder each = new StringBuilder();
        for (long[] w : all.subList(0, n)) {
            double waitMs = w[0] / 1e6;
            double cpuMs = w[1] / 1e6;
            double queuedMs = w[2] / 1e6;
            double blockedMs = Math.max(0, waitMs - cpuMs - queuedMs);
            cpu += cpuMs;
            queued += queuedMs;
            blocked += blockedMs;
            each.append(each.length() == 0 ? "" : "; ")
                    .append(String.format(
                            Locale.ROOT,
                            "%.2f ms (on CPU %.2f, waiting for a CPU %.2f, blocked %.2f; test %d of its thread)",
                            waitMs,
                            cpuMs,
                            queuedMs,
                            blockedMs,
                            w[3]));
        }
        System.out.println("row 3: slowest " + n + " waits: " + each);
        results.number("redisSlowWaitsOnCpuMs", cpu);
        results.number("redisSlowWaitsQueuedForCpuMs", queued);
        results.number("redisSlowWaitsBlockedMs", blocked);
        results.note("Row 3, the slowest " + n + " waits (2%), from the test thread's /proc schedstat: " + each + ".");
    }

    private void rlsRow() {
        System.out.println("row 4: RLS audit of 100 tenant tables");
        System.setProperty(
                "prodlike.report-dir", work.resolve("reports").resolve("rls").toString());
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
        results.row(
                "4",
                "RLS audit (static + dynamic) of " + first.tenantTables().size() + " tenant tables, "
                        + first.tenants().size() + " tenants, first run in the JVM",
                Results.ms(firstMs) + " (second run " + Results.ms(secondMs) + ", static only "
                        + Results.ms(RlsAuditTestCase.staticOnlyMs) + "); "
                        + first.findings().size() + " findings",
                "no common alternative: hand-written per-table isolation tests",
                "",
                "≤ 500 ms first run: " + verdict(firstMs <= 500));
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
        results.row(
                "5",
                "Resident memory of PostgreSQL during row 2 at 4 threads (VmRSS summed over postmaster +"
                        + " children; Pss in brackets), max of 8 samples",
                Results.mb(pg) + " (" + Results.mb(pss) + ")"
                        + (prodlikeRss == null ? "" : ", " + prodlikeRss.processes() + " processes"),
                "zonky server, template baseline at 4 threads: " + Results.mb(z) + " (" + Results.mb(zp) + ")",
                Results.times(z / pg) + " prodlike's RSS",
                "reported");
        results.row(
                "5",
                "Resident memory of Redis during row 3",
                Double.isNaN(redisRssMb) ? "n/a (module not ready)" : Results.mb(redisRssMb),
                "",
                "",
                "reported");
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

    private static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "uptime unavailable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "uptime interrupted";
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
