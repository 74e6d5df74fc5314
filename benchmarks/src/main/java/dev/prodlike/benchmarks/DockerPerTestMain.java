package dev.prodlike.benchmarks;

/**
 * Child JVM of {@link DockerColdStart}: {@link DockerPerTestTestCase}'s tests on the docker provider, at the number of
 * threads given as the first argument (1 if none); prints the waits.
 */
public final class DockerPerTestMain {

    private DockerPerTestMain() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double wall = JUnitRun.run(DockerPerTestTestCase.class, threads);
        Stats waits = Stats.ofNanos(DockerPerTestTestCase.WAITS);
        System.out.println("BENCH tests=" + waits.count() + " waitP50Ms=" + waits.p50() + " waitP99Ms=" + waits.p99()
                + " waitMaxMs=" + waits.max() + " wallMs=" + wall
                + " threads=" + threads);
        System.exit(0);
    }
}
