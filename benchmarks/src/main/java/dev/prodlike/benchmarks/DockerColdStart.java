package dev.prodlike.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The docker provider's cold start next to the embedded one, each in a fresh JVM (like a build tool's test fork):
 * container start plus migrations to the first query, first without reuse (a first run that finds no kept migrated
 * cluster and keeps one, then runs that start from it), then with {@code docker.reuse=true}
 * (first run creates the reusable container, later runs find it and skip the start and Flyway); and the per-test
 * wait on Docker. Needs a Docker engine with {@code postgres:<version>} (and Testcontainers' reuse enabled: run with
 * {@code TESTCONTAINERS_REUSE_ENABLE=true}, which {@code -Pbench-docker} sets).
 *
 * <pre>mvn -pl benchmarks -am verify -Pbench-docker</pre>
 *
 * Also times what a Testcontainers user does today ({@link TestcontainersFlywayMain}: a plain
 * {@code PostgreSQLContainer} of the same image and Flyway of the same migrations, in a fresh JVM), and the per-test
 * wait at 4 threads. Prints one table and the goal ratios of issue 27 with the load average, and writes
 * {@code target/bench-docker/docker-results.txt} and {@code target/results-docker.json} (keys {@code docker.*}). The
 * reusable container it made is removed at the end. {@code -Dbench.docker.runs} (default {@value #RUNS}) and
 * {@code -Dbench.docker.tests} (per-test rows, default {@value DockerPerTestTestCase#TESTS}) shrink a quick check of
 * the harness, whose figures then mean nothing.
 */
public final class DockerColdStart {

    static final int RUNS = 3;
    /** The image prodlike's docker provider runs for the benchmarks' profile ({@code postgres.version}). */
    static final String POSTGRES_VERSION = "16.4";

    private DockerColdStart() {}

    public static void main(String[] args) throws Exception {
        Path target = Paths.get(args.length > 0 ? args[0] : "target");
        Path work = target.resolve("bench-docker");
        int runs = Integer.getInteger("bench.docker.runs", RUNS);
        List<String> tests = List.of(
                "-Dbench.docker.tests=" + Integer.getInteger("bench.docker.tests", DockerPerTestTestCase.TESTS));
        Bench.deleteRecursively(work);
        Files.createDirectories(work);
        Children children = new Children(work);
        Path cache = work.resolve("prodlike-cache");
        String load = load();
        System.out.println("bench-docker: load before: " + load);

        Map<String, List<Double>> cold = new LinkedHashMap<>();
        children.run(
                "embedded-warmup", false, args(work, cache, "embedded", false, "embedded-warmup"), ColdStartMain.class);
        // The first docker run finds no kept cluster (removed here, and again at the end): initdb, migrations, and
        // the commit of its migrated cluster as a local image. The runs after it start from that image.
        removeKeptClusters();
        Map<String, Double> first = children.run(
                "docker-first", false, args(work, cache, "docker", false, "docker-first"), ColdStartMain.class);
        String noReuse = "docker, no reuse, later runs (container from the kept migrated cluster)";
        String testcontainers = "Testcontainers PostgreSQLContainer + Flyway migrate (same image, same migrations)";
        for (int i = 1; i <= runs; i++) {
            add(
                    cold,
                    "embedded (cached binaries and migrated cluster)",
                    children.run(
                            "embedded-" + i,
                            false,
                            args(work, cache, "embedded", false, "embedded-" + i),
                            ColdStartMain.class));
            add(
                    cold,
                    noReuse,
                    children.run(
                            "docker-" + i,
                            false,
                            args(work, cache, "docker", false, "docker-" + i),
                            ColdStartMain.class));
            add(
                    cold,
                    testcontainers,
                    children.run(
                            "testcontainers-flyway-" + i,
                            false,
                            List.of(),
                            TestcontainersFlywayMain.class,
                            POSTGRES_VERSION));
        }
        Map<String, Double> reuseFirst = children.run(
                "docker-reuse-first",
                false,
                args(work, cache, "docker", true, "docker-reuse-first"),
                ColdStartMain.class);
        for (int i = 1; i <= runs; i++) {
            add(
                    cold,
                    "docker, docker.reuse=true, container found (no start, no Flyway)",
                    children.run(
                            "docker-reuse-" + i,
                            false,
                            args(work, cache, "docker", true, "docker-reuse-" + i),
                            ColdStartMain.class));
        }
        Map<String, Double> perTest = children.run(
                "docker-pertest",
                false,
                concat(args(work, cache, "docker", false, "docker-pertest"), tests),
                DockerPerTestMain.class,
                "1");
        Map<String, Double> perTest4 = children.run(
                "docker-pertest-4threads",
                false,
                concat(args(work, cache, "docker", false, "docker-pertest-4threads"), tests),
                DockerPerTestMain.class,
                "4");
        removeReusable();
        removeKeptClusters();
        String after = load();

        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "Cold start to first migrated DB (fresh JVM, ColdStartTestCase's"
                        + " migrations), median of %d; load before: %s; after: %s%n",
                runs,
                load,
                after));
        cold.forEach((name, values) ->
                out.append(String.format(Locale.ROOT, "  %-72s %8.0f ms  (runs: %s)%n", name, median(values), values)));
        out.append(String.format(
                Locale.ROOT,
                "  %-72s %8.0f ms%n",
                "docker, no reuse, first run (initdb, migrations, keeps the migrated cluster)",
                first.getOrDefault("coldMs", Double.NaN)));
        out.append(String.format(
                Locale.ROOT,
                "  %-72s %8.0f ms%n",
                "docker, docker.reuse=true, first run (creates the reusable container)",
                reuseFirst.getOrDefault("coldMs", Double.NaN)));
        out.append(String.format(
                Locale.ROOT,
                "Per-test wait on Docker, %.0f tests, 1 thread: p50 %.3f ms, p99 %.3f ms, max %.3f ms;"
                        + " the whole run (container start included) %.0f ms%n",
                perTest.getOrDefault("tests", Double.NaN),
                perTest.getOrDefault("waitP50Ms", Double.NaN),
                perTest.getOrDefault("waitP99Ms", Double.NaN),
                perTest.getOrDefault("waitMaxMs", Double.NaN),
                perTest.getOrDefault("wallMs", Double.NaN)));
        out.append(String.format(
                Locale.ROOT,
                "Per-test wait on Docker, %.0f tests, 4 threads: p50 %.3f ms, p99 %.3f ms, max %.3f ms;"
                        + " the whole run (container start included) %.0f ms%n",
                perTest4.getOrDefault("tests", Double.NaN),
                perTest4.getOrDefault("waitP50Ms", Double.NaN),
                perTest4.getOrDefault("waitP99Ms", Double.NaN),
                perTest4.getOrDefault("waitMaxMs", Double.NaN),
                perTest4.getOrDefault("wallMs", Double.NaN)));

        Map<String, Double> json = new LinkedHashMap<>();
        json.put("docker.coldStartMs", median(cold.get(noReuse)));
        json.put("docker.coldStartFirstRunMs", first.getOrDefault("coldMs", Double.NaN));
        json.put("docker.testcontainersFlywayColdStartMs", median(cold.get(testcontainers)));
        json.put(
                "docker.coldStartReuseMs",
                median(cold.get("docker, docker.reuse=true, container found (no start, no Flyway)")));
        json.put("docker.coldStartEmbeddedMs", median(cold.get("embedded (cached binaries and migrated cluster)")));
        json.put("docker.perTestWaitP50Ms", perTest.getOrDefault("waitP50Ms", Double.NaN));
        json.put("docker.perTestWaitP99Ms", perTest.getOrDefault("waitP99Ms", Double.NaN));
        json.put("docker.perTestWaitP50Ms4Threads", perTest4.getOrDefault("waitP50Ms", Double.NaN));
        json.put("docker.perTestWaitP99Ms4Threads", perTest4.getOrDefault("waitP99Ms", Double.NaN));
        json.put("docker.perTestWallMs", perTest.getOrDefault("wallMs", Double.NaN));
        json.put("docker.perTestWallMs4Threads", perTest4.getOrDefault("wallMs", Double.NaN));
        json.put("docker.perTestTests", perTest.getOrDefault("tests", Double.NaN));
        json.put("docker.runs", (double) runs);
        double coldRatio = json.get("docker.coldStartMs") / json.get("docker.testcontainersFlywayColdStartMs");
        json.put("docker.goal.coldStartVsTestcontainersFlyway", coldRatio);
        out.append(String.format(
                Locale.ROOT,
                "%nGoals (issue 27), load average before: %s; after: %s%n"
                        + "| goal | measured | target | met |%n| --- | --- | --- | --- |%n"
                        + "| cold start, docker (no reuse, kept cluster) / Testcontainers + Flyway | %.2f× | ≤ 0.5× | %s |%n"
                        + "| per-test wait p99, 1 thread | %.1f ms | ≤ 50 ms | %s |%n"
                        + "| per-test wait p99, 4 threads | %.1f ms | ≤ 50 ms | %s |%n",
                load,
                after,
                coldRatio,
                met(coldRatio <= 0.5),
                json.get("docker.perTestWaitP99Ms"),
                met(json.get("docker.perTestWaitP99Ms") <= 50),
                json.get("docker.perTestWaitP99Ms4Threads"),
                met(json.get("docker.perTestWaitP99Ms4Threads") <= 50)));
        System.out.print(out);
        Files.writeString(work.resolve("docker-results.txt"), out);
        StringBuilder text = new StringBuilder(
                "{\n  \"docker.load.before\": \"" + load + "\",\n  \"docker.load.after\": \"" + after + "\"");
        json.forEach((k, v) -> text.append(String.format(Locale.ROOT, ",%n  \"%s\": %.3f", k, v)));
        text.append("\n}\n");
        Files.writeString(target.resolve("results-docker.json"), text);
        System.exit(0);
    }

    private static List<String> args(Path work, Path cache, String provider, boolean reuse, String label) {
        return List.of(
                "-Dprodlike.cache-dir=" + cache,
                "-Dprodlike.provider=" + provider,
                "-Dprodlike.docker.reuse=" + reuse,
                "-Dprodlike.report-dir=" + work.resolve("reports").resolve(label));
    }

    private static String met(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void add(Map<String, List<Double>> cold, String name, Map<String, Double> run) {
        cold.computeIfAbsent(name, k -> new ArrayList<>()).add(run.getOrDefault("coldMs", Double.NaN));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static String load() {
        try {
            return Files.readString(Paths.get("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * Removes the migrated clusters prodlike's docker provider keeps as local images (repository
     * {@code localhost/prodlike-postgres-migrated}), so that the first docker run starts without one and nothing stays behind.
     */
    private static void removeKeptClusters() throws IOException, InterruptedException {
        removeListed(List.of("docker", "images", "-q", "localhost/prodlike-postgres-migrated"), "rmi");
    }

    /** Removes the reusable containers the runs made (label set by prodlike). */
    private static void removeReusable() throws IOException, InterruptedException {
        removeListed(List.of("docker", "ps", "-aq", "--filter", "label=dev.prodlike.reuse-key"), "rm");
    }

    /**
     * @param list   a docker CLI command that prints ids
     * @param remove the docker CLI command that removes them ({@code rm}, {@code rmi}), forced
     */
    private static void removeListed(List<String> list, String remove) throws IOException, InterruptedException {
        Process listing = new ProcessBuilder(list).redirectErrorStream(true).start();
        String ids = new String(listing.getInputStream().readAllBytes()).trim();
        listing.waitFor(30, TimeUnit.SECONDS);
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("docker", remove, "-f"));
            rm.addAll(new LinkedHashSet<>(List.of(ids.split("\\s+")))); // an image listed once per tag
            new ProcessBuilder(rm)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }
}
