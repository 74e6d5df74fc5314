package dev.prodlike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.prodlike.Provider;
import dev.prodlike.internal.Docker;
import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension's behaviour, through small fixture classes run with the JUnit Platform test kit. */
class RedisSessionTests {

    static EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute();
    }

    // ---------------------------------------------------------------- injection and isolation

    @RedisSession
    static class InjectionTestCase {
        @BeforeEach
        void seed(RedisCommands<String, String> cmd) {
            assertThat(cmd.dbsize()).isZero();
            cmd.set("seeded", "yes");
        }

        @Test
        void everyTypePointsAtTheSameKeyspace(
                RedisEnvironment redis,
                RedisClient client,
                StatefulRedisConnection<String, String> connection,
                RedisCommands<String, String> cmd,
                RedisAsyncCommands<String, String> async)
                throws Exception {
            assertThat(cmd.get("seeded")).isEqualTo("yes");
            assertThat(async.get("seeded").get(5, TimeUnit.SECONDS)).isEqualTo("yes");
            assertThat(connection.sync()).isSameAs(cmd);
            try (StatefulRedisConnection<String, String> other = client.connect()) {
                assertThat(other.sync().get("seeded")).isEqualTo("yes");
            }
            try (RedisClient byUri = RedisClient.create(redis.uri().toString());
                    StatefulRedisConnection<String, String> c = byUri.connect()) {
                assertThat(c.sync().get("seeded")).isEqualTo("yes");
            }
            assertThat(redis.serverVersion()).isEqualTo("7.0.15");
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.provider()).isEqualTo(System.getProperty("prodlike.provider", "embedded"));
            cmd.set("leftover", "from test 1");
        }

        @Test
        void startsEmptyAgain(RedisCommands<String, String> cmd) {
            assertThat(cmd.keys("*")).containsExactly("seeded");
            cmd.set("leftover", "from test 2");
        }
    }

    @Test
    void injectsRedisEnvironmentAndLettuceTypesIntoAnEmptyKeyspace() {
        TestKitEvents.assertAllSucceeded(run(InjectionTestCase.class), 2);
    }

    @Test
    void closesInjectedClientsWhenTheTestEnds() {
        ClosedTestCase.connection = null;
        TestKitEvents.assertAllSucceeded(run(ClosedTestCase.class), 1);
        assertThat(ClosedTestCase.connection.isOpen()).isFalse();
    }

    @RedisSession
    static class ClosedTestCase {
        static StatefulRedisConnection<String, String> connection;

        @Test
        void keeps(StatefulRedisConnection<String, String> c) {
            connection = c;
            assertThat(c.isOpen()).isTrue();
        }
    }

    // ---------------------------------------------------------------- meta-annotation, method level

    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @RedisSession
    @interface CacheTest {}

    @CacheTest
    static class MetaAnnotatedTestCase {
        @Test
        void works(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            assertThat(cmd.ping()).isEqualTo("PONG");
            assertThat(redis.serverVersion()).startsWith("7.0.");
        }
    }

    @Test
    void worksAsMetaAnnotation() {
        TestKitEvents.assertAllSucceeded(run(MetaAnnotatedTestCase.class), 1);
    }

    static class MethodLevelTestCase {
        @Test
        @RedisSession
        void annotated(RedisCommands<String, String> cmd) {
            assertThat(cmd.dbsize()).isZero();
        }

        @Test
        @CacheTest
        void metaAnnotated(RedisEnvironment redis) {
            assertThat(redis.database()).isBetween(0, 15);
        }
    }

    @Test
    void worksOnMethods() {
        TestKitEvents.assertAllSucceeded(run(MethodLevelTestCase.class), 2);
    }

    @RedisSession
    static class BaseTestCase {}

    static class InheritingTestCase extends BaseTestCase {
        @Test
        void inherited(RedisEnvironment redis) {
            assertThat(redis.uri().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void isInherited() {
        TestKitEvents.assertAllSucceeded(run(InheritingTestCase.class), 1);
    }

    // ---------------------------------------------------------------- errors

    @RedisSession
    static class WrongTypeArgumentsTestCase {
        @Test
        void bytes(RedisCommands<byte[], byte[]> cmd) {}
    }

    @Test
    void rejectsLettuceTypesOtherThanStringString() {
        run(WrongTypeArgumentsTestCase.class)
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("bytes"),
                                finishedWithFailure(
                                        instanceOf(ParameterResolutionException.class),
                                        message(
                                                "Can only resolve @RedisSession parameter of type RedisCommands<String, String> but was:"
                                                        + " RedisCommands<byte[], byte[]> (parameter [io.lettuce.core.api.sync.RedisCommands"
                                                        + "<byte[], byte[]> arg0] in void dev.prodlike.redis.RedisSessionTests$"
                                                        + "WrongTypeArgumentsTestCase.bytes(io.lettuce.core.api.sync.RedisCommands))"))));
    }

    @RedisSession
    static class UnsupportedTypeTestCase {
        @Test
        void other(io.lettuce.core.api.reactive.RedisReactiveCommands<String, String> reactive) {}
    }

    @Test
    void leavesOtherTypesToOtherResolvers() {
        run(UnsupportedTypeTestCase.class)
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("other"),
                                finishedWithFailure(
                                        instanceOf(ParameterResolutionException.class),
                                        message(
                                                m -> m.startsWith(
                                                        "No ParameterResolver registered for parameter [io.lettuce.core.api"
                                                                + ".reactive.RedisReactiveCommands<java.lang.String, java.lang.String> arg0]")))));
    }

    @RedisSession
    static class BeforeAllTestCase {
        @BeforeAll
        static void setUp(RedisCommands<String, String> cmd) {}

        @Test
        void never() {}
    }

    @Test
    void refusesClassLevelInjection() {
        run(BeforeAllTestCase.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(
                                instanceOf(ParameterResolutionException.class),
                                message(
                                        "Cannot resolve parameter [io.lettuce.core.api.sync.RedisCommands<java.lang.String,"
                                                + " java.lang.String> arg0] in static void dev.prodlike.redis.RedisSessionTests$"
                                                + "BeforeAllTestCase.setUp(io.lettuce.core.api.sync.RedisCommands): with"
                                                + " @RedisSession every test gets a keyspace of its own, so class-level methods"
                                                + " (@BeforeAll, constructors) have none.\nUse a @BeforeEach method or a test method"
                                                + " parameter."))));
    }

    @RedisSession(provider = Provider.DOCKER)
    static class DockerWithoutEngineTestCase {
        @Test
        void never(RedisEnvironment redis) {}
    }

    @Test
    void saysWhyDockerCannotBeUsed() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Docker.status().available(), "a Docker engine answers here");
        run(DockerWithoutEngineTestCase.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                finishedWithFailure(
                                        instanceOf(ExtensionConfigurationException.class),
                                        message(
                                                "provider=docker was asked for (@RedisSession on dev.prodlike.redis.RedisSessionTests$"
                                                        + "DockerWithoutEngineTestCase), but Docker cannot be used for Redis 7.0: "
                                                        + Docker.status().reason()
                                                        + ".\nTried: Testcontainers' Docker detection.\n"
                                                        + "Fix: start a Docker engine (or set DOCKER_HOST) and add"
                                                        + " org.testcontainers:testcontainers as a test dependency, or use provider=embedded,"
                                                        + " which runs the redis-server shipped in org.signal:embedded-redis."))));
    }

    @RedisSession(version = "7.2")
    static class UnobtainableVersionTestCase {
        @Test
        void never(RedisEnvironment redis) {}

        @Test
        void neverEither(RedisEnvironment redis) {}
    }

    @Test
    void saysWhenTheVersionIsNotObtainable() {
        EngineExecutionResults results = run(UnobtainableVersionTestCase.class);
        results.testEvents().assertStatistics(s -> s.started(0));
        if ("docker".equals(System.getProperty("prodlike.provider"))) {
            // The engine answers but has no redis:7.2 and reaches no registry (CI's stand-in engine): once, fast.
            results.containerEvents()
                    .assertThatEvents()
                    .haveExactly(
                            1,
                            event(
                                    finishedWithFailure(
                                            instanceOf(ExtensionConfigurationException.class),
                                            message(
                                                    m -> m.startsWith(
                                                                    "provider=docker was asked for (-Dprodlike.provider), but Docker cannot be used for Redis"
                                                                            + " 7.2: image redis:7.2 is not present on the Docker engine and pulling it failed")
                                                            && m.contains("\nTried: the engine Testcontainers found (")
                                                            && m.endsWith(
                                                                    "Fix: pull it where a registry is reachable (docker pull redis:7.2), or mirror"
                                                                            + " it and name the mirror in ~/.testcontainers.properties"
                                                                            + " (hub.image.name.prefix=<your-registry>/mirror/), or use provider=embedded, which runs"
                                                                            + " the redis-server shipped in org.signal:embedded-redis.")))));
            return;
        }
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(
                                instanceOf(ExtensionConfigurationException.class),
                                message(
                                        "Redis 7.2 is not obtainable for provider=embedded: org.signal:embedded-redis ships"
                                                + " redis-server 7.0.15 only.\n"
                                                + "Tried: redis.binary (not set), then the static redis-server in"
                                                + " org.signal:embedded-redis.\n"
                                                + "Fix: one of\n"
                                                + "  provider=docker                       # runs redis:7.2 with Testcontainers\n"
                                                + "  redis.binary=/path/to/redis-server   # a local build of 7.2\n"
                                                + "  drift=warn                            # accept redis-server 7.0.15 and report"
                                                + " the difference"))));
    }

    @RedisSession(settings = "maxmemory-policy")
    static class MalformedSettingTestCase {
        @Test
        void never(RedisEnvironment redis) {}
    }

    @Test
    void rejectsMalformedSettings() {
        run(MalformedSettingTestCase.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(
                                instanceOf(ExtensionConfigurationException.class),
                                message(
                                        "@RedisSession(settings = \"maxmemory-policy\") on dev.prodlike.redis.RedisSessionTests$"
                                                + "MalformedSettingTestCase is not name=value; write e.g."
                                                + " \"maxmemory-policy=allkeys-lru\"."))));
    }

    @RedisSession(settings = "no-such-setting=1")
    static class RejectedSettingTestCase {
        @Test
        void never(RedisEnvironment redis) {}
    }

    @Test
    void reportsASettingTheServerRejects() {
        run(RejectedSettingTestCase.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                finishedWithFailure(
                                        instanceOf(IllegalStateException.class),
                                        message(
                                                m -> m.contains("did not start: the server process exited")
                                                        && m.contains("Bad directive or wrong number of" + " arguments")
                                                        && m.endsWith(
                                                                "Fix: check redis.settings.no-such-setting=1 (@RedisSession on"
                                                                        + " dev.prodlike.redis.RedisSessionTests$RejectedSettingTestCase); Redis 7.0 rejected it.")))));
    }

    // ---------------------------------------------------------------- report

    @Test
    void writesTheEnvironmentReport() throws Exception {
        TestKitEvents.assertAllSucceeded(run(MetaAnnotatedTestCase.class), 1);
        String json = Files.readString(Path.of("target", "prodlike", "environment.json"), StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"server\": \"Redis 7.0\"")
                .contains("\"redis.version\"")
                .contains("\"production\": \"7.0\"")
                .contains("\"test\": \"7.0.15\"")
                .contains("\"redis.settings.maxmemory-policy\"")
                .contains("\"startMs\"");
    }

    static final java.util.Map<String, String> POLICIES = new java.util.concurrent.ConcurrentHashMap<>();

    @RedisSession
    static class MethodOverrideTestCase {
        @Test
        void classSettings(RedisCommands<String, String> redis) {
            POLICIES.put("class", redis.configGet("maxmemory-policy").get("maxmemory-policy"));
        }

        @Test
        @RedisSession(settings = "maxmemory-policy=volatile-ttl")
        void methodSettings(RedisCommands<String, String> redis) {
            POLICIES.put("method", redis.configGet("maxmemory-policy").get("maxmemory-policy"));
        }
    }

    @Test
    void aMethodLevelAnnotationWithOtherSettingsGetsAServerWithThem() {
        POLICIES.clear();
        TestKitEvents.assertAllSucceeded(run(MethodOverrideTestCase.class), 2);
        assertThat(POLICIES).containsEntry("class", "allkeys-lru").containsEntry("method", "volatile-ttl");
    }
}
