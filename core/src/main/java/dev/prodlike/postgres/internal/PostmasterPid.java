package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Ports;
import dev.prodlike.internal.SupervisedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An embedded server's readiness, in its own word: the status line of {@code postmaster.pid} ({@code ready}, as
 * {@code pg_ctl -w} reads it) with the server's port in it. No connection is made: until the server has bound the
 * port, the port may belong to someone else (another process given it in the moment after
 * {@link Ports#freeLoopbackPort()}), and a probe would reach them instead.
 */
final class PostmasterPid {

    private PostmasterPid() {}

    /**
     * @param process the server
     * @param data    its data directory
     * @param port    the port it was told to use
     * @param timeout how long to wait
     * @return null when ready, else why not
     */
    static String awaitReady(SupervisedProcess process, Path data, int port, Duration timeout) {
        Path pidFile = data.resolve("postmaster.pid");
        return process.awaitReady(() -> readiness(pidFile, port), timeout, Duration.ofMillis(2), "not ready");
    }

    /**
     * @param pidFile the data directory's {@code postmaster.pid}
     * @param port    the port the server was told to use
     * @return null when the file says the server on that port is ready, else what it says
     */
    static String readiness(Path pidFile, int port) {
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "no postmaster.pid yet";
        }
        // 1 pid, 2 data directory, 3 start time, 4 port, 5 socket directory, 6 listen address, 7 shared memory key,
        // 8 status (PostgreSQL 10 and later)
        if (lines.size() < 8) {
            return "postmaster.pid has " + lines.size() + " lines";
        }
        if (!lines.get(3).trim().equals(String.valueOf(port))) {
            return "postmaster.pid names port " + lines.get(3).trim();
        }
        String status = lines.get(7).trim();
        return status.equals("ready") ? null : "status " + status;
    }
}
