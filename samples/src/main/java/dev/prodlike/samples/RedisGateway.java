package dev.prodlike.samples;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's only way to Redis: every command goes through a resilience4j retry (for blips such as a dropped
 * connection while Lettuce reconnects) around a circuit breaker (so a Redis that is down or hanging costs one fast
 * failure, not a timeout per request), with a fallback chosen by the caller.
 *
 * <p>Lettuce is configured to fail fast: commands time out after {@code commandTimeout}, and commands issued while
 * disconnected are rejected instead of queued. It reconnects by itself, at most a second apart.
 *
 * <p>A dropped connection is a blip, not an outage: for {@link #RECONNECT_GRACE} after Lettuce loses its connection,
 * fast failures (rejections, not timeouts) do not count towards opening the circuit, and the retry backs off
 * (100, 200, 400 ms) so that its last attempt comes after a reconnect even on a busy machine; against a Redis that
 * hangs (timeouts while connected) it retries every 100 ms and the circuit opens as before. Should the connection
 * stay down longer, failures count again and the circuit opens: an outage costs one fast failure per request.
 *
 * @since 0.1.0
 */
public final class RedisGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisGateway.class);

    /** How long after losing its connection a failure is taken for a reconnect in progress, not a sick Redis. */
    static final Duration RECONNECT_GRACE = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final RedisClient client;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private volatile StatefulRedisConnection<String, String> connection;
    /** When Lettuce last lost its connection ({@link System#nanoTime()}), or 0 when it never did. */
    private final AtomicLong disconnectedAt = new AtomicLong();

    /**
     * @param uri            e.g. {@code redis://127.0.0.1:6379/0}
     * @param commandTimeout how long one command may take
     */
    public RedisGateway(String uri, Duration commandTimeout) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(commandTimeout);
        this.resources = ClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(
                        SocketOptions.builder().connectTimeout(commandTimeout).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> lost) {
                if (lost == connection) { // the connection in use, not a connect attempt that failed
                    disconnectedAt.set(System.nanoTime());
                }
            }
        });
        this.breaker = CircuitBreaker.of(
                "redis",
                CircuitBreakerConfig.custom()
                        .ignoreException(this::rejectedWhileReconnecting)
                        .slidingWindowSize(10)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(1))
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build());
        this.retry = Retry.of(
                "redis",
                RetryConfig.custom()
                        .maxAttempts(4)
                        // attempt 1, 2, 3 failed: 100 ms, then while reconnecting 200 and 400 ms (a hanging Redis: 100
                        // ms)
                        .intervalBiFunction(
                                (attempt, outcome) -> outcome.isLeft() && rejectedWhileReconnecting(outcome.getLeft())
                                        ? 100L << (attempt - 1)
                                        : 100L)
                        .ignoreExceptions(CallNotPermittedException.class)
                        .build());
    }

    /**
     * Runs Redis commands, or the fallback when Redis cannot answer (after retries, or at once while the circuit
     * breaker is open).
     *
     * @param commands what to run
     * @param fallback what to return instead
     * @param <T>      the result type
     * @return the result or the fallback's
     */
    public <T> T call(Function<RedisCommands<String, String>, T> commands, Supplier<T> fallback) {
        Supplier<T> guarded = Retry.decorateSupplier(
                retry,
                CircuitBreaker.decorateSupplier(
                        breaker, () -> commands.apply(connection().sync())));
        try {
            return guarded.get();
        } catch (RuntimeException e) {
            LOG.warn("Redis unavailable ({}), degrading: {}", breaker.getState(), e.toString());
            return fallback.get();
        }
    }

    /**
     * @param failure why a command failed
     * @return whether it failed fast (not a timeout: Redis hanging) less than {@link #RECONNECT_GRACE} after Lettuce
     *     lost its connection, so while it is reconnecting
     */
    private boolean rejectedWhileReconnecting(Throwable failure) {
        long at = disconnectedAt.get();
        return !(failure instanceof RedisCommandTimeoutException)
                && at != 0
                && System.nanoTime() - at < RECONNECT_GRACE.toNanos();
    }

    /** @return whether Redis answers a PING now (not through the circuit breaker) */
    public boolean isReachable() {
        try {
            return "PONG".equals(connection().sync().ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** @return the circuit breaker's state, CLOSED, OPEN or HALF_OPEN */
    public String circuitState() {
        return breaker.getState().name();
    }

    private synchronized StatefulRedisConnection<String, String> connection() {
        if (connection == null) {
            connection = client.connect(); // throws while Redis is unreachable; tried again on the next call
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ofMillis(100), Duration.ofSeconds(2));
        resources.shutdown(100, 2_000, TimeUnit.MILLISECONDS);
    }
}
