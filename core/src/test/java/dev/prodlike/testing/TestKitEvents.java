package dev.prodlike.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * Checks an EngineTestKit run succeeded and, when it did not, fails with what went wrong inside it: every failed
 * event's throwable with its stack trace, not only {@code expected: <1> but was: <0>}.
 */
public final class TestKitEvents {

    private TestKitEvents() {}

    /**
     * @param results   the run
     * @param succeeded how many tests must have started and succeeded
     * @throws AssertionError naming each failed test or container and its throwable
     */
    public static void assertAllSucceeded(EngineExecutionResults results, long succeeded) {
        List<Event> failed = results.allEvents().failed().list();
        long started = results.testEvents().started().count();
        long ok = results.testEvents().succeeded().count();
        long skipped = results.testEvents().skipped().count();
        if (failed.isEmpty() && started == succeeded && ok == succeeded && skipped == 0) {
            return;
        }
        StringBuilder text = new StringBuilder("Expected " + succeeded + " tests to start and succeed, but "
                + started + " started, " + ok + " succeeded, " + skipped + " were skipped and " + failed.size()
                + " tests or containers failed");
        results.testEvents().skipped().stream()
                .forEach(e -> text.append("\n- skipped ")
                        .append(e.getTestDescriptor().getDisplayName())
                        .append(": ")
                        .append(e.getPayload(String.class).orElse("")));
        for (Event e : failed) {
            text.append("\n- ").append(e.getTestDescriptor().getDisplayName()).append(" failed: ");
            TestExecutionResult r = e.getPayload(TestExecutionResult.class).orElse(null);
            Throwable t = r == null ? null : r.getThrowable().orElse(null);
            if (t == null) {
                text.append("(no throwable)");
            } else {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                text.append(trace);
            }
        }
        AssertionError error = new AssertionError(text.toString());
        for (Event e : failed) {
            e.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .ifPresent(error::addSuppressed);
        }
        throw error;
    }
}
