package dev.prodlike.redis.internal;

import dev.prodlike.redis.RedisEnvironment;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's Redis: a logical database of a shared server ({@link TestSession}) or a cluster of its own
 * ({@link ClusterSession}), closed by the test's Store when the test ends.
 *
 * <p>Not API: may change in any release.
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public interface RedisLease extends RedisEnvironment, AutoCloseable, ExtensionContext.Store.CloseableResource {

    /**
     * @param type a parameter type the extension supports
     * @return the object of that type pointed at this test's keyspace, created on first use
     * @throws IllegalArgumentException when the type does not fit the topology (a standalone {@code RedisCommands}
     *                                  for a cluster, or the reverse), saying which types do
     */
    Object parameter(Class<?> type);

    /**
     * Registers commands of the code under test that may complete after the call that issued them returned.
     *
     * @param commands the tracker
     */
    void track(InFlightCommands commands);

    /**
     * Waits (bounded) until the code under test's commands issued so far completed; called before prodlike reads the
     * keyspace to judge it.
     *
     * @return how many were still in flight when the wait ended (0 normally)
     */
    int settle();

    @Override
    void close();
}
