package dev.prodlike.samples.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.env.Environment;

/** Counts the application contexts Spring starts, by the {@code orders.test-context} property of the tests. */
class ContextCounter {

    private static final Map<String, AtomicInteger> STARTED = new ConcurrentHashMap<>();

    ContextCounter(Environment environment) {
        STARTED.computeIfAbsent(environment.getProperty("orders.test-context", "?"), k -> new AtomicInteger())
                .incrementAndGet();
    }

    static int started(String context) {
        AtomicInteger n = STARTED.get(context);
        return n == null ? 0 : n.get();
    }
}
