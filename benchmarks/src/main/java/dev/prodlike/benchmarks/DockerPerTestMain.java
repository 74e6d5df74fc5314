package dev.prodlike.benchmarks;

/** Child JVM of {@link DockerColdStart}: 100 tests on the docker provider, one thread; prints the waits. */
public final class DockerPerTestMain {

    private DockerPerTestMain() {
    }

    public static void main(String[] args) {
        double wall = JUnitRun.run(DockerPerTestTestCase.class, 1);
        Stats waits = Stats.ofNanos(DockerPerTestTestCase.WAITS);
        System.out.println("BENCH tests=" + waits.count() + " waitP50Ms=" + waits.p50() + " waitP99Ms=" + waits.p99()
                + " waitMaxMs=" + waits.max() + " wallMs=" + wall);
        System.exit(0);
    }
}
