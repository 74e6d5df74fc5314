package dev.prodlike.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Child JVM for row 1 (prodlike side): a fresh JVM, like a build tool's test fork, runs {@link ColdStartTestCase}
 * and prints its timings as a {@code BENCH} line. The cache directory and report directory come as
 * {@code -Dprodlike.cache-dir} / {@code -Dprodlike.report-dir}.
 */
public final class ColdStartMain {

    private ColdStartMain() {}

    public static void main(String[] args) {
        JUnitRun.run(
                args.length > 0 && args[0].equals("scale") ? ColdStart300TestCase.class : ColdStartTestCase.class, 1);
        long now = System.nanoTime();
        double uptimeAtFirstQuery =
                ManagementFactory.getRuntimeMXBean().getUptime() - (now - ColdStartTestCase.firstQueryNanos) / 1e6;
        Path report = Paths.get(System.getProperty("prodlike.report-dir")).resolve("environment.json");
        Map<String, Double> phases = ReportJson.numbers(
                report,
                "startMs",
                "binariesAndInitdbMs",
                "copyClusterMs",
                "bootMs",
                "migrateMs",
                "templateReadyMs",
                "copyBeforeBootMs");
        StringBuilder line = new StringBuilder("BENCH");
        line.append(" coldMs=").append((ColdStartTestCase.firstQueryNanos - ColdStartTestCase.beforeAllNanos) / 1e6);
        line.append(" provisionMs=")
                .append((ColdStartTestCase.provisionedNanos - ColdStartTestCase.beforeAllNanos) / 1e6);
        line.append(" resolveMs=").append((ColdStartTestCase.resolvedNanos - ColdStartTestCase.beforeTestNanos) / 1e6);
        line.append(" firstQueryMs=")
                .append((ColdStartTestCase.firstQueryNanos - ColdStartTestCase.resolvedNanos) / 1e6);
        line.append(" jvmUptimeAtFirstQueryMs=").append(uptimeAtFirstQuery);
        phases.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
        System.exit(0);
    }
}
