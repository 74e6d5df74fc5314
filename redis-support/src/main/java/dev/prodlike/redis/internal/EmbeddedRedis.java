package dev.prodlike.redis.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Cache;
import dev.prodlike.internal.Ports;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.internal.RunDirectories;
import dev.prodlike.internal.SupervisedProcess;
import dev.prodlike.redis.RedisKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * redis-server run as a local process on 127.0.0.1 under {@link SupervisedProcess}, in a run directory that the next
 * run reaps if this JVM dies. Nothing is written to disk: no RDB snapshots, no AOF.
 */
public final class EmbeddedRedis extends ProvidedServer implements RedisServer {

    /** Settings every server prodlike starts gets, before the profile's own (which win). */
    static final Map<String, String> FIXED_SETTINGS = new LinkedHashMap<>();

    static {
        FIXED_SETTINGS.put("save", "");
        FIXED_SETTINGS.put("appendonly", "no");
        FIXED_SETTINGS.put("notify-keyspace-events", "KEA");
    }

    private final RedisBinaries.Binary binary;
    private final List<String> command;
    private final Path runDir;
    private final int port;
    private volatile SupervisedProcess process;

    private EmbeddedRedis(
            RedisBinaries.Binary binary,
            List<String> command,
            Path runDir,
            int port,
            SupervisedProcess process,
            long startMillis,
            Map<String, String> deliberate) {
        super("embedded", true, deliberate, startMillis);
        this.binary = binary;
        this.command = command;
        this.runDir = runDir;
        this.port = port;
        this.process = process;
    }

    /**
     * The server command line.
     *
     * @param binary   redis-server
     * @param port     the port
     * @param declared {@code redis.settings.*} of the profile; they win over the fixed settings
     * @return the command
     */
    public static List<String> command(Path binary, int port, Map<String, String> declared) {
        Map<String, String> all = new LinkedHashMap<>(FIXED_SETTINGS);
        all.putAll(declared);
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "yes",
                "--daemonize",
                "no",
                "--logfile",
                ""));
        all.forEach((k, v) -> {
            cmd.add("--" + k);
            cmd.add(v.equals("\"\"") ? "" : v); // save="" in the profile means an empty value
        });
        return cmd;
    }

    /**
     * Starts a server.
     *
     * @param settings the class's settings
     * @return the running server
     * @throws ExtensionConfigurationException when the version is not obtainable or a fixed port is taken
     */
    public static EmbeddedRedis start(RedisSettings settings) {
        long t0 = System.nanoTime();
        ProductionProfile profile = settings.profile();
        Integer fixedPort = profile.get(RedisKeys.PORT).map(Integer::valueOf).orElse(null);
        if (fixedPort != null) {
            // Before anything is extracted or created. The server runs as this JVM's user.
            String problem = Ports.fixedPortProblem(
                    fixedPort,
                    !dev.prodlike.internal.OsUser.isRoot(),
                    System.getProperty("user.name"),
                    "Redis " + settings.version(),
                    RedisKeys.PORT);
            if (problem != null) {
                throw new ExtensionConfigurationException(problem);
            }
        }
        RedisBinaries.Binary binary = RedisBinaries.find(settings);
        Path runDir = RunDirectories.create(Cache.root(profile), "redis");
        Map<String, String> deliberate = deliberate(settings.settings());
        for (int attempt = 1; ; attempt++) {
            int port = fixedPort != null ? fixedPort : Ports.freeLoopbackPort();
            List<String> command = command(binary.path(), port, settings.settings());
            Path log = runDir.resolve("redis.log");
            SupervisedProcess process = launch(binary, command, runDir, log);
            String failure = awaitReady(process, port, Duration.ofSeconds(30));
            if (failure == null) {
                return new EmbeddedRedis(
                        binary, command, runDir, port, process, (System.nanoTime() - t0) / 1_000_000, deliberate);
            }
            process.stop(Duration.ofSeconds(5));
            String tail = SupervisedProcess.tail(log, 15);
            boolean portRace = tail.contains("Address already in use") || tail.contains("Address in use");
            if (portRace && fixedPort == null && attempt < 3) {
                continue;
            }
            deleteQuietly(runDir);
            if (portRace && fixedPort != null) {
                throw new ExtensionConfigurationException(
                        Ports.inUseMessage(port, "Redis " + settings.version(), RedisKeys.PORT));
            }
            String hint = hintFor(tail, settings);
            throw new IllegalStateException("Redis " + settings.version() + " (embedded, " + binary.origin()
                    + ") did not start: " + failure + "\nServer log:\n  " + tail.replace("\n", "\n  ") + hint);
        }
    }

    static String hintFor(String log, RedisSettings settings) {
        if (!log.contains("FATAL CONFIG")) {
            return "";
        }
        for (Map.Entry<String, String> e : settings.settings().entrySet()) {
            if (log.contains(">>> '" + e.getKey() + " ")) {
                String key = RedisKeys.SETTINGS_PREFIX + e.getKey();
                return "\nFix: check " + key + "=" + e.getValue() + " ("
                        + settings.profile().origin(key).orElse("profile") + "); Redis " + settings.version()
                        + " rejected it.";
            }
        }
        return "\nFix: check the " + RedisKeys.SETTINGS_PREFIX + "* settings; the server rejected one of "
                + settings.settings() + ".";
    }

    static Map<String, String> deliberate(Map<String, String> declared) {
        Map<String, String> deliberate = new LinkedHashMap<>();
        if (!declared.containsKey("save")) {
            deliberate.put("save \"\"", "no RDB snapshots: nothing is kept on disk between runs");
        }
        if (!declared.containsKey("appendonly")) {
            deliberate.put("appendonly no", "no AOF: nothing is kept on disk between runs");
        }
        if (!declared.containsKey("notify-keyspace-events")) {
            deliberate.put(
                    "notify-keyspace-events KEA",
                    "the cache recorder listens to keyspace notifications;"
                            + " they cost a little CPU per write, never change results");
        }
        return deliberate;
    }

    private static SupervisedProcess launch(RedisBinaries.Binary binary, List<String> command, Path runDir, Path log) {
        return SupervisedProcess.start("Redis (" + binary.origin() + ")", command, runDir, log, "TERM", Map.of());
    }

    /**
     * Waits until a PING on 127.0.0.1:port answers PONG.
     *
     * @param process the server process
     * @param port    its port
     * @param timeout how long to wait
     * @return null when ready, else why not
     */
    static String awaitReady(SupervisedProcess process, int port, Duration timeout) {
        return process.awaitReady(() -> ping(port), timeout, Duration.ofMillis(2), "no PONG");
    }

    /** @return null when 127.0.0.1:port answers PONG, else what happened */
    static String ping(int port) {
        return ping("127.0.0.1", port);
    }

    /** @return null when host:port answers PONG, else what happened */
    static String ping(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII).trim() : "";
            return reply.equals("+PONG") ? null : "reply " + reply;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Cache.deleteRecursively(dir);
        } catch (IOException ignored) {
            // reaped by the next run
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String description() {
        return "embedded (" + binary.origin() + ")";
    }

    @Override
    public synchronized void stopForOutage() {
        Ports.hold(port); // it comes back on this port: this JVM's proxies stay off it meanwhile
        process.stop(Duration.ofSeconds(10));
    }

    @Override
    public synchronized void restart() {
        if (process.isAlive()) {
            return;
        }
        Path log = runDir.resolve("redis.log");
        for (int attempt = 1; attempt <= 3; attempt++) {
            SupervisedProcess p = launch(binary, command, runDir, log);
            String failure = awaitReady(p, port, Duration.ofSeconds(30));
            if (failure == null) {
                process = p;
                Ports.release(port);
                try {
                    Files.deleteIfExists(runDir.resolve("dump.rdb"));
                } catch (IOException ignored) {
                    // removed with the run directory
                }
                return;
            }
            p.stop(Duration.ofSeconds(5));
            if (attempt == 3 || !SupervisedProcess.tail(log, 5).contains("in use")) {
                throw new IllegalStateException("Redis did not come back on 127.0.0.1:" + port + " after the outage: "
                        + failure + (Ports.inUse(port) ? " (another process took the port meanwhile)" : "")
                        + "\nServer log:\n  " + SupervisedProcess.tail(log, 10).replace("\n", "\n  "));
            }
        }
    }

    @Override
    public synchronized void close() {
        process.stop(Duration.ofSeconds(10));
        Ports.release(port);
        deleteQuietly(runDir);
    }

    @Override
    public String toString() {
        return description() + " on 127.0.0.1:" + port;
    }
}
