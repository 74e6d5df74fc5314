package dev.prodlike.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Child JVM of {@link DockerColdStart}: {@link DockerPerTestTestCase}'s tests on the docker provider, at the number of
 * threads given as the first argument (1 if none); prints the waits, and which tests (in the order they started)
 * waited more than 20 ms.
 */
public final class DockerPerTestMain {

    private static final long SLOW_NANOS = 20_000_000L;

    private DockerPerTestMain() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double wall = JUnitRun.run(DockerPerTestTestCase.class, threads);
        Stats waits = Stats.ofNanos(DockerPerTestTestCase.WAITS);
        // which tests waited: the tail of the 4-thread row is the first burst of a cold start (issue 27)
        List<Long> inOrder = new ArrayList<>(DockerPerTestTestCase.WAITS);
        StringBuilder slow = new StringBuilder();
        for (int i = 0; i < inOrder.size(); i++) {
            if (inOrder.get(i) > SLOW_NANOS) {
                slow.append(' ')
                        .append(i)
                        .append(':')
                        .append(inOrder.get(i) / 1_000_000)
                        .append("ms");
            }
        }
        System.out.println(
                "SLOW waits over 20 ms (test in the order their bodies began: wait), threads=" + threads + ":" + slow);
        System.out.println("BENCH tests=" + waits.count() + " waitP50Ms=" + waits.p50() + " waitP99Ms=" + waits.p99()
                + " waitMaxMs=" + waits.max() + " wallMs=" + wall
                + " threads=" + threads);
        System.exit(0);
    }
}
