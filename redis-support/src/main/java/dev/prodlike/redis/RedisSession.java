package dev.prodlike.redis;

import dev.prodlike.Provider;
import dev.prodlike.postgres.internal.DatabaseParameterHint;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class (or method) against Redis of the production version, with a keyspace of its own,
 * empty when each test starts, also when tests run in parallel.
 *
 * <pre>{@code
 * @RedisSession
 * class OrderCacheTests {
 *     @Test
 *     void evicts(RedisEnvironment redis, RedisCommands<String, String> cmd) {
 *         cmd.set("order:42", "cached");
 *         assertThatCache(redis).whenRunning(() -> service.rename(42, "x"))
 *                 .invalidated("order:42").didNotTouch("order:43");
 *     }
 * }
 * }</pre>
 *
 * <p>Test and {@code @BeforeEach} methods may declare parameters of type {@link RedisEnvironment} and of the Lettuce
 * types {@code RedisClient}, {@code StatefulRedisConnection<String, String>}, {@code RedisCommands<String, String>}
 * and {@code RedisAsyncCommands<String, String>}; all point at the test's own logical database, and prodlike closes
 * them when the test ends. Class-level methods ({@code @BeforeAll}, constructors) get none, since every test has its
 * own keyspace.
 *
 * <p>Version, settings and provider come from the production profile ({@code redis.version},
 * {@code redis.settings.*}, {@code provider} in {@code prodlike.properties}); the attributes override it, and
 * {@code -Dprodlike.<key>} overrides both. The server starts once per JVM per (provider, version, settings), is shared
 * by all test classes and stops when the run ends. What runs is compared with the profile (drift check) and written to
 * the environment report.
 *
 * <p>Isolation: a server prodlike starts has 16 logical databases (more if {@code redis.settings.databases} says so);
 * each test leases one exclusively, and it is emptied with FLUSHDB before the test sees it. When all are leased, the
 * next test waits for one. On an external server ({@code provider=external}) only the database {@code redis.url}
 * names is used, so its tests run one at a time. Memory is shared by all databases of a server: a test that relies on
 * {@code maxmemory} evictions should use settings no other class uses, which gives it a server of its own.
 *
 * <p>Cluster mode ({@code redis.topology=cluster} or {@code topology = RedisTopology.CLUSTER}): each test gets a
 * Redis Cluster of {@code redis.cluster.masters} masters (3 by default) to itself, emptied with FLUSHALL on every
 * master before the test sees it; parallel tests get clusters of their own. Inject {@code RedisClusterClient},
 * {@code StatefulRedisClusterConnection<String, String>}, {@code RedisAdvancedClusterCommands<String, String>} or
 * {@code RedisAdvancedClusterAsyncCommands<String, String>}; {@link RedisEnvironment#uri()} names the first master,
 * from which a {@code RedisClusterClient} discovers the others.
 *
 * <p>May be used as a meta-annotation.
 *
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({RedisSessionExtension.class, DatabaseParameterHint.class})
@API(status = API.Status.STABLE, since = "0.1.0")
public @interface RedisSession {

    /** @return Redis version such as {@code 7.0} or {@code 7.0.15}; default {@code redis.version} of the profile */
    String version() default "";

    /**
     * @return Redis settings as {@code name=value}, e.g. {@code "maxmemory-policy=allkeys-lru"}; each overrides
     *         {@code redis.settings.<name>} of the profile
     */
    String[] settings() default {};

    /** @return where the server comes from; default {@code provider} of the profile, else auto */
    Provider provider() default Provider.FROM_PROFILE;

    /**
     * @return a standalone server or a Redis Cluster; default {@code redis.topology} of the profile, else standalone
     * @since 0.1.0
     */
    RedisTopology topology() default RedisTopology.FROM_PROFILE;
}
