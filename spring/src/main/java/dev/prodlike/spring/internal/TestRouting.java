package dev.prodlike.spring.internal;

import dev.prodlike.internal.CurrentTest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One per application context: which tests are running against it, and to which of them a connection asked for on
 * some thread belongs. The test's own thread (MockMvc, direct calls) is always right; any other thread (a real HTTP
 * port, {@code @Async}) belongs to the only test running, and is refused when several run at once.
 */
public final class TestRouting {

    /** The bean name under which each prodlike-customized context holds its routing. */
    public static final String BEAN_NAME = "prodlikeTestRouting";

    private final Set<CurrentTest> active = ConcurrentHashMap.newKeySet();
    private final List<Consumer<CurrentTest>> endListeners = new CopyOnWriteArrayList<>();

    /** Called before each test method (on its thread). */
    void begin(CurrentTest test) {
        active.add(test);
    }

    /** Called after each test method, after Spring's transaction rolled back: closes what the test opened. */
    void end(CurrentTest test) {
        active.remove(test);
        endListeners.forEach(l -> l.accept(test));
    }

    void onEnd(Consumer<CurrentTest> listener) {
        endListeners.add(listener);
    }

    /**
     * @param what what is asked for, for messages ("a JDBC connection")
     * @return the test the calling thread works for
     * @throws IllegalStateException when no test or several tests could be meant
     */
    CurrentTest current(String what) {
        Optional<CurrentTest> own = CurrentTest.onThisThread();
        if (own.isPresent()) {
            return own.get();
        }
        List<CurrentTest> running = active.stream().filter(t -> !t.isEnded()).collect(Collectors.toList());
        if (running.size() == 1) {
            return running.get(0);
        }
        String thread = Thread.currentThread().getName();
        if (running.isEmpty()) {
            throw new IllegalStateException("prodlike cannot give " + what + " to thread '" + thread + "': no test is"
                    + " running against this application context, so there is no test database to connect to (every"
                    + " test's database is dropped when the test ends).\nWork that outlives a test (a scheduler, an"
                    + " @Async task still running, a startup runner) has no database; seed data belongs in the"
                    + " migrations, and background work should finish within the test.");
        }
        throw new IllegalStateException("prodlike cannot tell which test thread '" + thread + "' works for: it asks"
                + " for " + what + " while " + running.size() + " tests run at once against this application context "
                + running + ", and only a test's own thread is known to belong to it (MockMvc and direct calls run"
                + " there; a real HTTP port or @Async does not).\nRun such test classes alone: annotate them"
                + " @org.junit.jupiter.api.parallel.Isolated, or call the application through MockMvc.");
    }
}
