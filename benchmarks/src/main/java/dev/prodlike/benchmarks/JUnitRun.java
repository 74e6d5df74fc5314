package dev.prodlike.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs a fixture class through the JUnit Platform Launcher, as a build tool would. */
final class JUnitRun {

    private JUnitRun() {}

    /**
     * @param fixture the test class
     * @param threads 1 for sequential execution, more for JUnit's parallel execution with that fixed parallelism
     * @return wall time of the whole execution in ms
     * @throws IllegalStateException when a test failed (the benchmark's numbers would be meaningless)
     */
    static double run(Class<?> fixture, int threads) {
        Map<String, String> config = new LinkedHashMap<>();
        if (threads > 1) {
            config.put("junit.jupiter.execution.parallel.enabled", "true");
            config.put("junit.jupiter.execution.parallel.mode.default", "concurrent");
            config.put("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
            config.put("junit.jupiter.execution.parallel.config.strategy", "fixed");
            config.put("junit.jupiter.execution.parallel.config.fixed.parallelism", String.valueOf(threads));
            config.put("junit.jupiter.execution.parallel.config.fixed.max-pool-size", String.valueOf(threads));
        } else {
            config.put("junit.jupiter.execution.parallel.enabled", "false");
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .configurationParameters(config)
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long t0 = System.nanoTime();
        launcher.execute(request, listener);
        double ms = (System.nanoTime() - t0) / 1e6;
        TestExecutionSummary summary = listener.getSummary();
        if (summary.getTotalFailureCount() > 0 || summary.getTestsSucceededCount() == 0) {
            StringWriter out = new StringWriter();
            summary.printFailuresTo(new PrintWriter(out), 30);
            throw new IllegalStateException(fixture.getSimpleName() + ": " + summary.getTestsSucceededCount()
                    + " tests succeeded, " + summary.getTotalFailureCount() + " failed\n" + out);
        }
        return ms;
    }
}
