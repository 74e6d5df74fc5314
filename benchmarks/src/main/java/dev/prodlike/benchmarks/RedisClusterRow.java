package dev.prodlike.benchmarks;

import java.nio.file.Path;
import java.util.Map;

/**
 * Row 3c: what a Redis Cluster costs next to a standalone server. Cold: from the first test's lease to a cluster of 3
 * masters serving every slot (its start, once per JVM per parallel slot), against the standalone server's start. Per
 * test: the wait for an empty keyspace (a whole cluster emptied with FLUSHALL on every master, against a logical
 * database emptied in the background), sequential and with 4 threads (which start more clusters).
 */
final class RedisClusterRow {

    private final Path work;
    private final Results results;

    RedisClusterRow(Path work, Results results) {
        this.work = work;
        this.results = results;
    }

    void run() {
        Side standalone = measureStandalone();
        Side cluster1 = measureCluster(1);
        Side cluster4 = measureCluster(4);
        results.number("redisClusterStartMs", cluster1.startMs());
        results.number("redisClusterWaitP50Ms", cluster1.waits().p50());
        results.number("redisClusterWaitP99Ms", cluster1.waits().p99());
        results.number("redisClusterWaitP50Ms4Threads", cluster4.waits().p50());
        results.number("redisClusterWaitP99Ms4Threads", cluster4.waits().p99());
        results.number("redisClustersStarted4Threads", cluster4.clusters());
        results.number("redisClusterStartMaxMs4Threads", cluster4.startMaxMs());
        results.number("redisStandaloneStartMsRow3c", standalone.startMs());
        results.number("redisStandaloneWaitP50MsRow3c", standalone.waits().p50());
        results.row(
                "3c",
                "Redis Cluster (3 masters): start, cold (once per JVM and parallel slot)",
                Results.ms(cluster1.startMs()) + " (4 threads: " + Results.count(cluster4.clusters())
                        + " clusters, slowest start " + Results.ms(cluster4.startMaxMs()) + ")",
                "standalone server: " + Results.ms(standalone.startMs()),
                "",
                "reported");
        results.row(
                "3c",
                "Redis Cluster (3 masters): wait for an empty keyspace per test, p50 / p99, "
                        + RedisClusterTestCase.TESTS + " tests",
                Results.ms(cluster1.waits().p50()) + " / "
                        + Results.ms(cluster1.waits().p99()) + " sequential; "
                        + Results.ms(cluster4.waits().p50()) + " / "
                        + Results.ms(cluster4.waits().p99())
                        + " with 4 threads (includes the starts of the extra clusters)",
                "standalone, sequential: " + Results.ms(standalone.waits().p50()) + " / "
                        + Results.ms(standalone.waits().p99()),
                "",
                "reported");
    }

    private record Side(double startMs, Stats waits, double clusters, double startMaxMs) {}

    private Side measureStandalone() {
        Path reportDir = report("redis-standalone-1");
        RedisTestCase.reset();
        JUnitRun.run(RedisTestCase.class, 1);
        Map<String, Double> report = ReportJson.numbers(reportDir.resolve("environment.json"), "startMs");
        return new Side(
                report.getOrDefault("startMs", Double.NaN),
                Stats.ofNanos(RedisTestCase.WAITS),
                1,
                report.getOrDefault("startMs", Double.NaN));
    }

    private Side measureCluster(int threads) {
        Path reportDir = report("redis-cluster-" + threads);
        RedisClusterTestCase.WAITS.clear();
        JUnitRun.run(RedisClusterTestCase.class, threads);
        Map<String, Double> report = ReportJson.numbers(
                reportDir.resolve("environment.json"), "startMs", "clustersStarted", "clusterStartMaxMs");
        return new Side(
                report.getOrDefault("startMs", Double.NaN),
                Stats.ofNanos(RedisClusterTestCase.WAITS),
                report.getOrDefault("clustersStarted", Double.NaN),
                report.getOrDefault("clusterStartMaxMs", Double.NaN));
    }

    private Path report(String name) {
        Path dir = work.resolve("reports").resolve(name);
        System.setProperty("prodlike.report-dir", dir.toString());
        return dir;
    }
}
