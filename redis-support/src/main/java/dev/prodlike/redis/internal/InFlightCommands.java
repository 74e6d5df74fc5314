package dev.prodlike.redis.internal;

import java.time.Duration;

/**
 * Redis commands the code under test issued for one test that may not have completed when the call that issued them
 * returned: asynchronous writes, such as Spring Data Redis 4's cache writes (a {@code @Cacheable} put or a
 * {@code @CacheEvict} returns before Redis has the key, or still has it). An integration that hands the application its
 * connections registers one with {@link TestSession#track(InFlightCommands)}, and every read prodlike makes to judge
 * the keyspace (key assertions, the recorder's sentinels) first waits for them, so that it sees what the application
 * has already done.
 *
 * <p>Not API: may change in any release.
 */
@FunctionalInterface
public interface InFlightCommands {

    /**
     * Waits until the commands issued so far have completed, at most {@code timeout}.
     *
     * @param timeout how long to wait at most
     * @return how many are still in flight (0 when all completed)
     * @throws InterruptedException when interrupted while waiting
     */
    int await(Duration timeout) throws InterruptedException;
}
