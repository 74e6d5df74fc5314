package dev.prodlike.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.Provider;
import dev.prodlike.internal.Docker;
import dev.prodlike.redis.internal.docker.DockerRedis;
import dev.prodlike.testing.PublishedPorts;
import dev.prodlike.testing.TestKitEvents;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The docker provider: image and command without an engine, a real container where an engine answers. */
class DockerRedisTests {

    /** Runs the annotated test only where a Docker engine answers; reports the reason as the skip message. */
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(DockerAvailable.class)
    @interface EnabledIfDockerAvailable {}

    static final class DockerAvailable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Docker.Status status = Docker.status();
            return status.available()
                    ? ConditionEvaluationResult.enabled(status.reason())
                    : ConditionEvaluationResult.disabled("Docker is not available: " + status.reason());
        }
    }

    @Test
    void usesTheOfficialImageOfExactlyTheDeclaredVersion() {
        assertThat(DockerRedis.image("7.0").getUnversionedPart()).isEqualTo("redis");
        assertThat(DockerRedis.image("7.0").getVersionPart()).isEqualTo("7.0");
        assertThat(DockerRedis.image("7.2.5").getVersionPart()).isEqualTo("7.2.5");
    }

    @Test
    void commandAppliesTheProfileAfterTheFixedSettings() {
        Map<String, String> fixed = new LinkedHashMap<>();
        fixed.put("save", "");
        fixed.put("notify-keyspace-events", "KEA");
        assertThat(DockerRedis.command(fixed, Map.of("maxmemory-policy", "allkeys-lru", "save", "60 1")))
                .containsExactly(
                        "redis-server",
                        "--port",
                        "6379",
                        "--protected-mode",
                        "no",
                        "--save",
                        "60 1",
                        "--notify-keyspace-events",
                        "KEA",
                        "--maxmemory-policy",
                        "allkeys-lru");
    }

    @Test
    @EnabledIfDockerAvailable
    void runsInDocker() {
        BINDINGS.clear();
        TestKitEvents.assertAllSucceeded(RedisSessionTests.run(InDockerTestCase.class), 1);
        // Read from the engine, not from prodlike's flags: deleting the 127.0.0.1 bind in DockerRedis fails here.
        assertThat(Docker.status().local())
                .as(
                        "these tests run against a local engine (%s)",
                        Docker.status().reason())
                .isTrue();
        assertThat(BINDINGS)
                .as("the container's port bindings, read from the engine")
                .extracting(PublishedPorts.Binding::source)
                .contains("HostConfig", "NetworkSettings");
        assertThat(BINDINGS).allSatisfy(b -> assertThat(b.hostIp()).as("%s", b).isEqualTo("127.0.0.1"));
    }

    static final List<PublishedPorts.Binding> BINDINGS = new CopyOnWriteArrayList<>();

    @RedisSession(provider = Provider.DOCKER)
    static class InDockerTestCase {
        @Test
        void works(RedisEnvironment redis, RedisCommands<String, String> cmd) {
            assertThat(redis.provider()).isEqualTo("docker");
            assertThat(redis.serverVersion()).startsWith("7.0.");
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            // While the container runs: the test kit's root store removes it when the fixture ends.
            // redis.port() is the test's network proxy; the container publishes the port the proxy forwards to.
            BINDINGS.addAll(PublishedPorts.ofContainerPublishing(
                    redis.faults().network().target().getPort()));
            assertThat(cmd.dbsize()).isZero();
            RedisAssertions.assertThatCache(redis)
                    .whenRunning(() -> cmd.set("k", "v"))
                    .wrote("k");
            redis.faults().outage().close();
            assertThat(cmd.get("k")).isNull();
        }
    }
}
