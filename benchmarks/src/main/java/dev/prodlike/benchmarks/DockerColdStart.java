package dev.prodlike.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The docker provider's cold start next to the embedded one, each in a fresh JVM (like a build tool's test fork):
 * container start plus migrations to the first query, first without reuse, then with {@code docker.reuse=true}
 * (first run creates the reusable container, later runs find it and skip the start and Flyway); and the per-test
 * wait on Docker. Needs a Docker engine with {@code postgres:<version>} (and Testcontainers' reuse enabled: run with
 * {@code TESTCONTAINERS_REUSE_ENABLE=true}, which {@code -Pbench-docker} sets).
 *
 * <pre>mvn -pl benchmarks -am verify -Pbench-docker</pre>
 *
 * Prints one table and writes {@code target/bench-docker/docker-results.txt}. The reusable container it made is
 * removed at the end.
 */
public final class DockerColdStart {

    static final int RUNS = 3;

    private DockerColdStart() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Paths.get(args.length > 0 ? args[0] : "target").resolve("bench-docker");
        Bench.deleteRecursively(work);
        Files.createDirectories(work);
        Children children = new Children(work);
        Path cache = work.resolve("prodlike-cache");
        String load = load();
        System.out.println("bench-docker: load before: " + load);

        Map<String, List<Double>> cold = new LinkedHashMap<>();
        children.run("embedded-warmup", false, args(work, cache, "embedded", false, "embedded-warmup"),
                ColdStartMain.class);
        for (int i = 1; i <= RUNS; i++) {
            add(cold, "embedded (cached binaries and migrated cluster)", children.run("embedded-" + i, false,
                    args(work, cache, "embedded", false, "embedded-" + i), ColdStartMain.class));
            add(cold, "docker, no reuse (container start + migrations)", children.run("docker-" + i, false,
                    args(work, cache, "docker", false, "docker-" + i), ColdStartMain.class));
        }
        Map<String, Double> reuseFirst = children.run("docker-reuse-first", false,
                args(work, cache, "docker", true, "docker-reuse-first"), ColdStartMain.class);
        for (int i = 1; i <= RUNS; i++) {
            add(cold, "docker, docker.reuse=true, container found (no start, no Flyway)", children.run(
                    "docker-reuse-" + i, false, args(work, cache, "docker", true, "docker-reuse-" + i),
                    ColdStartMain.class));
        }
        Map<String, Double> perTest = children.run("docker-pertest", false,
                args(work, cache, "docker", false, "docker-pertest"), DockerPerTestMain.class);
        removeReusable();
        String after = load();

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Cold start to first migrated DB (fresh JVM, ColdStartTestCase's"
                + " migrations), median of %d; load before: %s; after: %s%n", RUNS, load, after));
        cold.forEach((name, values) -> out.append(String.format(Locale.ROOT, "  %-72s %8.0f ms  (runs: %s)%n",
                name, median(values), values)));
        out.append(String.format(Locale.ROOT, "  %-72s %8.0f ms%n",
                "docker, docker.reuse=true, first run (creates the reusable container)",
                reuseFirst.getOrDefault("coldMs", Double.NaN)));
        out.append(String.format(Locale.ROOT, "Per-test wait on Docker, %.0f tests, 1 thread: p50 %.3f ms, p99 %.3f"
                        + " ms, max %.3f ms%n", perTest.getOrDefault("tests", Double.NaN),
                perTest.getOrDefault("waitP50Ms", Double.NaN), perTest.getOrDefault("waitP99Ms", Double.NaN),
                perTest.getOrDefault("waitMaxMs", Double.NaN)));
        System.out.print(out);
        Files.writeString(work.resolve("docker-results.txt"), out);
        System.exit(0);
    }

    private static List<String> args(Path work, Path cache, String provider, boolean reuse, String label) {
        return List.of("-Dprodlike.cache-dir=" + cache, "-Dprodlike.provider=" + provider,
                "-Dprodlike.docker.reuse=" + reuse, "-Dprodlike.report-dir=" + work.resolve("reports").resolve(label));
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

    /** Removes the reusable containers the runs made (label set by prodlike), with the engine's own CLI client. */
    private static void removeReusable() throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.prodlike.reuse-key")
                .redirectErrorStream(true).start();
        String ids = new String(ps.getInputStream().readAllBytes()).trim();
        ps.waitFor(30, TimeUnit.SECONDS);
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
            rm.addAll(List.of(ids.split("\\s+")));
            new ProcessBuilder(rm).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
        }
    }
}
