package dev.prodlike.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.Cache;
import dev.prodlike.redis.KeyEvent;
import dev.prodlike.redis.RedisEnvironment;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Providers below the extension: embedded start, fixed ports, leftovers of killed JVMs, and the external provider,
 * played by an embedded server this class starts itself.
 */
@ExtendWith(ProvidersTests.Context.class)
class ProvidersTests {

    /** Hands the test its ExtensionContext, so internals can use the real root Store and report. */
    static final class Context implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            return p.getParameter().getType() == ExtensionContext.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext e) {
            return e;
        }
    }

    private static EmbeddedRedis external;

    @BeforeAll
    static void startTheExternalServer() {
        external = EmbeddedRedis.start(settings(Map.of()));
    }

    @AfterAll
    static void stopIt() {
        external.close();
    }

    static RedisSettings settings(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of("redis.version", "7.0", "provider", "embedded"));
        values.putAll(extra);
        return RedisSettings.from(profile(values));
    }

    /** The given values, plus {@code -Dprodlike.cache-dir} when the build sets one (as the extension would read it). */
    static ProductionProfile profile(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        String cacheDir = System.getProperty(ProductionProfile.SYSTEM_PROPERTY_PREFIX + ProductionProfile.CACHE_DIR);
        if (cacheDir != null) {
            all.putIfAbsent(ProductionProfile.CACHE_DIR, cacheDir);
        }
        return ProductionProfile.of(all);
    }

    private static RedisCommands<String, String> connect(RedisClient client, int db) {
        StatefulRedisConnection<String, String> c = client.connect(io.lettuce.core.RedisURI.builder()
                .withHost("127.0.0.1")
                .withPort(external.port())
                .withDatabase(db)
                .build());
        return c.sync();
    }

    @Test
    void embeddedCommandLineBindsLoopbackAndKeepsNothingOnDisk() {
        assertThat(EmbeddedRedis.command(
                        Path.of("redis-server"), 7000, Map.of("maxmemory-policy", "allkeys-lru", "save", "900 1")))
                .containsExactly(
                        "redis-server",
                        "--port",
                        "7000",
                        "--bind",
                        "127.0.0.1",
                        "--protected-mode",
                        "yes",
                        "--daemonize",
                        "no",
                        "--logfile",
                        "",
                        "--save",
                        "900 1",
                        "--appendonly",
                        "no",
                        "--notify-keyspace-events",
                        "KEA",
                        "--maxmemory-policy",
                        "allkeys-lru");
    }

    @Test
    void findsTheShippedBinaryForEachPlatform() {
        assertThat(RedisBinaries.resourceName("Linux", "amd64")).isEqualTo("redis-server-7.0.15-linux-amd64");
        assertThat(RedisBinaries.resourceName("Linux", "aarch64")).isEqualTo("redis-server-7.0.15-linux-arm64");
        assertThat(RedisBinaries.resourceName("Mac OS X", "aarch64")).isEqualTo("redis-server-7.0.15-darwin-arm64");
        assertThat(RedisBinaries.resourceName("Mac OS X", "x86_64")).isEqualTo("redis-server-7.0.15-darwin-amd64");
        assertThat(RedisBinaries.resourceName("Windows 11", "amd64")).isNull();
    }

    @Test
    void comparesVersionsAtTheDeclaredPrecisionAndSettingsByMeaning() {
        assertThat(RedisSettings.versionMatches("7.0", "7.0.15")).isTrue();
        assertThat(RedisSettings.versionMatches("7.0.15", "7.0.15")).isTrue();
        assertThat(RedisSettings.versionMatches("7.0.11", "7.0.15")).isFalse();
        assertThat(RedisSettings.versionMatches("7.2", "7.0.15")).isFalse();
        assertThat(ServerInspection.sameSetting("100mb", "104857600")).isTrue();
        assertThat(ServerInspection.sameSetting("1gb", "1073741824")).isTrue();
        assertThat(ServerInspection.sameSetting("allkeys-LRU", "allkeys-lru")).isTrue();
        assertThat(ServerInspection.sameSetting("allkeys-lru", "noeviction")).isFalse();
        assertThat(ServerInspection.sameSetting("100mb", "100000000")).isFalse();
        assertThat(SharedServer.notificationsCover("KEA")).isTrue();
        assertThat(SharedServer.notificationsCover("AKE")).isTrue();
        assertThat(SharedServer.notificationsCover("Kg$lshzxe")).isTrue();
        assertThat(SharedServer.notificationsCover("Ex")).isFalse();
        assertThat(SharedServer.notificationsCover("")).isFalse();
    }

    @Test
    void saysWhenAFixedPortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedRedis.start(settings(Map.of("redis.port", String.valueOf(port)))))
                    .isInstanceOf(ExtensionConfigurationException.class)
                    .hasMessage("Cannot start Redis 7.0 on 127.0.0.1:" + port + ": the port is in use by another"
                            + " process.\nTried: binding 127.0.0.1:" + port + " because the profile fixes"
                            + " redis.port=" + port + ".\nFix: stop whatever listens there (e.g. `ss -ltnp 'sport = :"
                            + port + "'` shows it), or remove redis.port so prodlike picks a free port.");
        }
    }

    @Test
    void aDamagedCachedBinaryIsExtractedAgainWithOneLineNamingTheEntry() throws Exception {
        Path cache = Files.createTempDirectory("prodlike-redis-cache");
        try {
            RedisSettings settings = settings(Map.of("cache-dir", cache.toString()));
            List<String> lines = new java.util.ArrayList<>();
            Path binary = RedisBinaries.find(settings, lines::add).path();
            assertThat(lines).as("first extraction").isEmpty();
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(binary.toFile(), "rw")) {
                raf.setLength(1000); // as a full disk or a cleaner would leave it
            }

            RedisBinaries.find(settings, lines::add);

            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .startsWith("cache entry " + binary.getParent() + " is not as it was"
                            + " saved (redis-server changed (size 1000, modified ")
                    .endsWith("); rebuilt it");
            EmbeddedRedis server = EmbeddedRedis.start(settings);
            try {
                assertThat(EmbeddedRedis.ping(server.port())).isNull();
            } finally {
                server.close();
            }
            Files.delete(binary);
            lines.clear();
            RedisBinaries.find(settings, lines::add);
            assertThat(lines)
                    .containsExactly("cache entry " + binary.getParent() + " is not as it was"
                            + " saved (redis-server is missing); rebuilt it");
            assertThat(binary).isExecutable();
        } finally {
            Cache.deleteRecursively(cache);
        }
    }

    @Test
    void startsOnAFixedFreePortAndStopsCleanly() {
        int port = 0;
        EmbeddedRedis server = null;
        // A port free a moment ago may be handed to a server another test class starts in parallel meanwhile.
        for (int attempt = 1; server == null; attempt++) {
            port = dev.prodlike.internal.Ports.freeLoopbackPort();
            try {
                server = EmbeddedRedis.start(settings(Map.of("redis.port", String.valueOf(port))));
            } catch (ExtensionConfigurationException e) {
                if (attempt == 3 || !e.getMessage().contains("in use by another process")) {
                    throw e;
                }
            }
        }
        try {
            assertThat(server.port()).isEqualTo(port);
            assertThat(EmbeddedRedis.ping(port)).isNull();
        } finally {
            server.close();
        }
        assertThat(EmbeddedRedis.ping(port)).isNotNull();
    }

    @Test
    void reapsTheServerOfAKilledJvmAtTheNextStart() throws Exception {
        // What a JVM killed with -9 leaves: a run directory whose owner is gone, and a redis-server still running
        Path cache = Cache.root(profile(Map.of()));
        Path binary = RedisBinaries.find(settings(Map.of())).path();
        Path dir = cache.resolve("runs").resolve("redis-2147483646-deadbeef");
        Files.createDirectories(dir);
        int port = dev.prodlike.internal.Ports.freeLoopbackPort();
        Process orphan = new ProcessBuilder(EmbeddedRedis.command(binary, port, Map.of()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        Files.writeString(dir.resolve("child.pid"), String.valueOf(orphan.pid()), StandardCharsets.UTF_8);
        // the owner file last: from now on any start (also of a test running in parallel) may reap it
        Files.writeString(dir.resolve("owner"), "2147483646 0", StandardCharsets.UTF_8);
        EmbeddedRedis next = EmbeddedRedis.start(settings(Map.of()));
        try {
            assertThat(orphan.onExit()
                            .get(10, java.util.concurrent.TimeUnit.SECONDS)
                            .isAlive())
                    .isFalse();
            assertThat(dir).doesNotExist();
        } finally {
            orphan.destroyForcibly();
            next.close();
        }
    }

    @Test
    void theFirstLeaseFindsItsDatabaseEmptiedAndConnectedByTheWarmUpAtServerStart(ExtensionContext context) {
        // settings of its own: a server no other test leases from
        RedisSettings s = settings(Map.of("redis.settings.maxmemory-policy", "volatile-random"));
        SharedServer server = RedisEnvironments.of(context, s).server(s);
        assertThat(server.resetStats().count())
                .as("the warm-up lease is not counted")
                .isZero();
        assertThat(server.prepareMillis()).isPositive();
        try (TestSession session = server.lease("first")) {
            assertThat(server.fastResets())
                    .as("emptied in the background, no round trip")
                    .isOne();
            assertThat(server.resetStats().count()).isOne();
            assertThat(testConnections(session))
                    .as("the spare connection, opened before the test asked")
                    .isOne();
            session.connection().sync().set("k", "v");
            assertThat(testConnections(session))
                    .as("the spare was handed over, no new connection")
                    .isOne();
        }
        try (TestSession next = server.lease("second")) {
            assertThat(next.connection().sync().dbsize()).isZero();
        }
    }

    /** @return how many connections other than prodlike's own are open to the session's database */
    private static long testConnections(TestSession session) {
        return session.control()
                .clientList()
                .lines()
                .filter(l -> l.contains(" db=" + session.database() + " "))
                .filter(l -> !l.contains("name=" + KeyspaceHub.CONTROL_NAME + " ")
                        && !l.contains("name=" + KeyspaceHub.CLIENT_NAME + " "))
                .count();
    }

    @Test
    void externalUsesOnlyTheDatabaseItIsGivenAndNeverFlushesAll(ExtensionContext context) {
        RedisClient raw = RedisClient.create();
        try {
            RedisCommands<String, String> db3 = connect(raw, 3);
            RedisCommands<String, String> db5 = connect(raw, 5);
            db3.set("users:data", "precious");
            db5.set("old", "test data");
            RedisSettings s = settings(
                    Map.of("provider", "external", "redis.url", "redis://127.0.0.1:" + external.port() + "/5"));
            SharedServer server = RedisEnvironments.of(context, s).server(s);
            TestSession session = server.lease("externalTest");
            try {
                assertThat(session.database()).isEqualTo(5);
                // the test's clients reach database 5 of that server through the test's proxy
                assertThat(session.uri().toString()).matches("redis://127\\.0\\.0\\.1:\\d+/5");
                assertThat(session.network().target().getPort()).isEqualTo(external.port());
                assertThat(session.provider()).isEqualTo("external");
                assertThat(db5.dbsize()).isZero();
                assertThat(db3.get("users:data")).isEqualTo("precious");
                session.connection().sync().set("k", "v");
                assertThat(session.recorder()
                                .record(() -> session.connection().sync().del("k"))
                                .events())
                        .containsExactly(new KeyEvent("k", "del"));
                assertThatThrownBy(() -> session.faults().outage())
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageStartingWith("Cannot inject a outage into external (redis://127.0.0.1:"
                                + external.port() + "/5, database 5 only): prodlike never pauses or stops a server it"
                                + " did not start.");
                assertThatThrownBy(() -> session.faults().pause(Duration.ofMillis(10)))
                        .isInstanceOf(UnsupportedOperationException.class);
            } finally {
                session.close();
            }
            assertThat(db3.get("users:data")).isEqualTo("precious");
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void externalWithNothingListeningSaysWhatWasTriedAndTheFix(ExtensionContext context) {
        int port = dev.prodlike.internal.Ports.freeLoopbackPort();
        RedisSettings s = settings(Map.of("provider", "external", "redis.url", "redis://127.0.0.1:" + port + "/15"));
        assertThatThrownBy(() -> RedisEnvironments.of(context, s).server(s))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("Could not connect to the external Redis external (redis://127.0.0.1:" + port
                        + "/15, database 15 only) on 127.0.0.1:" + port + ": Connection refused")
                .hasMessageEndingWith(".\nWith provider=external prodlike starts nothing: it uses the server redis.url"
                        + " names, which must be running before the tests.\nFix: start that Redis or correct redis.url,"
                        + " or let prodlike start one of redis.version: provider=embedded (or provider=auto).");
    }

    @Test
    void externalRefusesAUrlWithoutDatabase() {
        assertThatThrownBy(() -> ExternalRedis.connect(
                        ProductionProfile.of(Map.of("redis.url", "redis://:secret@127.0.0.1:6379"))))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("redis.url=redis://***@127.0.0.1:6379 names no logical database.\nprodlike empties the"
                        + " database it is given (FLUSHDB) before every test, so it only uses one that the URL names"
                        + " explicitly and never database 0 by default.\nFix: name a database reserved for tests, e.g."
                        + " redis.url=redis://127.0.0.1:6379/15");
    }

    @Test
    void failsOnDriftWithTheTable(ExtensionContext context) {
        RedisSettings s = settings(Map.of(
                "provider",
                "external",
                "redis.version",
                "7.2",
                "redis.settings.maxmemory-policy",
                "allkeys-lru",
                "redis.url",
                "redis://127.0.0.1:" + external.port() + "/6"));
        String provider = "(provider external (redis://127.0.0.1:" + external.port() + "/6, database 6 only))";
        assertThatThrownBy(() -> RedisEnvironments.of(context, s).server(s))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("Test environment differs from production (values given in code):\n"
                        + "  redis.version                     production 7.2           test 7.0.15       " + provider
                        + "\n  redis.settings.maxmemory-policy   production allkeys-lru   test noeviction   " + provider
                        + "\nFix: make the test server match production (provider=docker runs redis:<redis.version>;"
                        + " redis.binary names a local redis-server), or correct the profile if production changed."
                        + "\nTo only warn, set drift=warn.");
    }

    @Test
    void recorderRefusesAnExternalServerWithoutNotifications(ExtensionContext context) {
        // a server of its own: the shared stand-in keeps notifications on for the other tests
        EmbeddedRedis plain = EmbeddedRedis.start(settings(Map.of("redis.settings.notify-keyspace-events", "\"\"")));
        try {
            RedisSettings s =
                    settings(Map.of("provider", "external", "redis.url", "redis://127.0.0.1:" + plain.port() + "/7"));
            SharedServer server = RedisEnvironments.of(context, s).server(s);
            try (TestSession session = server.lease("noNotifications")) {
                RedisEnvironment env = session;
                assertThatThrownBy(env::recorder)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("its notify-keyspace-events is '', which lacks keyspace events of every"
                                + " class (K plus A).\nprodlike never changes the configuration of an external"
                                + " server.\nFix: run CONFIG SET notify-keyspace-events KEA on it");
            }
        } finally {
            plain.close();
        }
    }

    @Test
    void dropsOnlyConnectionsOfTheTestsDatabase(ExtensionContext context) {
        RedisSettings s = settings(Map.of(
                "provider",
                "external",
                "redis.settings.save",
                "\"\"",
                "redis.url",
                "redis://127.0.0.1:" + external.port() + "/8"));
        SharedServer server = RedisEnvironments.of(context, s).server(s);
        RedisClient raw = RedisClient.create();
        try (TestSession session = server.lease("drop")) {
            RedisCommands<String, String> other = connect(raw, 9);
            session.connection().sync().ping();
            assertThat(session.faults().dropConnections()).isEqualTo(1);
            assertThat(other.ping()).isEqualTo("PONG");
            assertThat(List.of(session.control().ping())).containsExactly("PONG");
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void dockerIsNeverChosenWithoutAnEngine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                dev.prodlike.internal.Docker.status().available());
        RedisSettings s = RedisSettings.from(profile(Map.of("redis.version", "7.0", "provider", "auto")));
        assertThat(s.provider()).isEqualTo(Provider.EMBEDDED);
        assertThat(s.providerWhy()).startsWith("provider=auto: no Docker (");
    }
}
