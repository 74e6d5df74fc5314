package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Row 2p: what the per-test network proxy costs a whole suite. Row 2's prodlike suite (200 tests, each on a fresh
 * migrated database, placing an order as the app role), with the proxy on and off ({@code network.proxy=off}) in the
 * same JVM, on the same server, back to back, at 1 and 4 threads. The two sides of a pair run within seconds of each
 * other and their order alternates from round to round, so a slow minute of the shared machine lands on both sides
 * alike; the cost is the median of the pairs' ratios (on / off), with every pair printed. Opt-in:
 * {@code -Dbench.rows=2p}, rounds with {@code -Dbench.proxyRounds} (default 5), thread counts with
 * {@code -Dbench.proxyThreads} (default {@code 1,4}).
 */
final class ProxyCostRow {

    private static final String PROPERTY = "prodlike.network.proxy";

    private final Path work;
    private final Results results;

    ProxyCostRow(Path work, Results results) {
        this.work = work;
        this.results = results;
    }

    void run() throws IOException {
        int rounds = Integer.getInteger("bench.proxyRounds", 5);
        String before = System.getProperty(PROPERTY);
        try {
            for (String threads :
                    System.getProperty("bench.proxyThreads", "1,4").split(",")) {
                measure(Integer.parseInt(threads.trim()), rounds);
            }
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }

    private void measure(int threads, int rounds) throws IOException {
        suite("off", threads, "proxy-warm-" + threads); // the JIT and the cache warm up before the first pair
        List<Double> ratios = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String first = round % 2 == 1 ? "on" : "off";
            String second = first.equals("on") ? "off" : "on";
            String load = load();
            double a = suite(first, threads, "proxy-" + first + "-" + threads + "-r" + round);
            Split splitA = Split.now();
            double b = suite(second, threads, "proxy-" + second + "-" + threads + "-r" + round);
            Split splitB = Split.now();
            double on = first.equals("on") ? a : b;
            double off = first.equals("on") ? b : a;
            Split onSplit = first.equals("on") ? splitA : splitB;
            Split offSplit = first.equals("on") ? splitB : splitA;
            ratios.add(on / off);
            pairs.add(String.format(Locale.ROOT, "%s/%s ms (%s first, load %s)", ms(on), ms(off), first, load));
            results.number("proxyOnWallMs" + threads + "ThreadsRound" + round, on);
            results.number("proxyOffWallMs" + threads + "ThreadsRound" + round, off);
            System.out.println("row 2p: " + threads + " thread(s), round " + round + ": on " + ms(on) + " ms, off "
                    + ms(off) + " ms, on/off " + String.format(Locale.ROOT, "%.3f", on / off) + "; per test, mean wait"
                    + " / body ms: on " + onSplit + ", off " + offSplit);
        }
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1
                ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        String suffix = threads == 1 ? "1Thread" : threads + "Threads";
        results.number("proxyCostRatio" + suffix, median);
        results.row(
                "2p",
                "whole suite, " + PerTestTestCase.TESTS + " tests, " + threads + " thread(s): proxy on / off, " + rounds
                        + " pairs (on/off ms: " + String.join("; ", pairs) + ")",
                "median on/off " + String.format(Locale.ROOT, "%.3f", median),
                "pairs from " + String.format(Locale.ROOT, "%.3f", sorted.get(0)) + " to "
                        + String.format(Locale.ROOT, "%.3f", sorted.get(sorted.size() - 1)),
                Results.times(median),
                "≤ 1.05: " + (median <= 1.05 ? "**met**" : "**missed**"));
    }

    /** A suite's mean wait (resolving the database) and body (connect, work, close) per test, in ms. */
    private record Split(double waitMs, double bodyMs) {
        static Split now() {
            return new Split(mean(PerTestTestCase.WAITS), mean(PerTestTestCase.BODIES));
        }

        private static double mean(Iterable<Long> nanos) {
            long sum = 0;
            int n = 0;
            for (long v : nanos) {
                sum += v;
                n++;
            }
            return n == 0 ? Double.NaN : sum / 1e6 / n;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f / %.2f", waitMs, bodyMs);
        }
    }

    /** @return the suite's wall from its first test's start to its last test's end, in ms */
    private double suite(String proxy, int threads, String label) {
        System.setProperty(PROPERTY, proxy);
        System.setProperty(
                "prodlike.report-dir", work.resolve("reports").resolve(label).toString());
        PerTestTestCase.reset();
        JUnitRun.run(PerTestTestCase.class, threads);
        return PerTestTestCase.testsWallMs();
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String load() {
        try {
            return Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
