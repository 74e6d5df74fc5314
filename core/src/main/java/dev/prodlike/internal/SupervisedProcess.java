package dev.prodlike.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A server process that cannot outlive the JVM that started it.
 *
 * <p>The server runs under a small {@code sh} watchdog whose standard input is a pipe from this JVM. When the JVM
 * closes the pipe ({@link #close()}) or dies for any reason, even {@code kill -9}, the watchdog reads end-of-file and
 * sends the server its stop signal. What a crash leaves on disk is removed by the janitor of {@link RunDirectories}
 * as soon as the JVM is gone (or, failing that, by {@link RunDirectories#reapLeftovers} at the next run).
 */
public final class SupervisedProcess implements AutoCloseable {

    // $1.. is the server command. Background jobs of a non-interactive shell get /dev/null as stdin, hence fd 3.
    private static final String WATCHDOG = String.join(
            "\n",
            "exec 3<&0",
            "\"$@\" </dev/null &",
            "c=$!",
            "echo $c > \"$PRODLIKE_CHILD_PID_FILE\"",
            "( read -r _ <&3; kill -\"$PRODLIKE_STOP_SIGNAL\" $c 2>/dev/null ) &",
            "w=$!",
            "exec 3<&-",
            "wait $c",
            "rc=$?",
            "kill $w 2>/dev/null",
            "exit $rc");

    private final String name;
    private final Process watchdog;
    private final Path log;
    private final Path childPidFile;
    private final OutputStream lifeline;
    private volatile boolean closed;

    private SupervisedProcess(String name, Process watchdog, Path log, Path childPidFile) {
        this.name = name;
        this.watchdog = watchdog;
        this.log = log;
        this.childPidFile = childPidFile;
        this.lifeline = watchdog.getOutputStream();
    }

    /**
     * Starts {@code command} under the watchdog; its output goes to {@code log}.
     *
     * @param name       for messages, e.g. {@code PostgreSQL 16.4}
     * @param command    the server command (already wrapped for the OS user if needed)
     * @param workDir    working directory; the child pid file is written here
     * @param log        file that receives the server's stdout and stderr
     * @param stopSignal signal name that stops the server gracefully, e.g. {@code INT}
     * @param env        extra environment
     * @return the running process
     */
    public static SupervisedProcess start(
            String name, List<String> command, Path workDir, Path log, String stopSignal, Map<String, String> env) {
        List<String> full = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "prodlike-watchdog"));
        full.addAll(command);
        Path childPid = workDir.resolve("child.pid");
        ProcessBuilder pb = new ProcessBuilder(full)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("PRODLIKE_CHILD_PID_FILE", childPid.toString());
        pb.environment().put("PRODLIKE_STOP_SIGNAL", stopSignal);
        try {
            return new SupervisedProcess(name, pb.start(), log, childPid);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    /** @return true while the server (or its watchdog) runs */
    public boolean isAlive() {
        return watchdog.isAlive();
    }

    /** @return the server's own process, once the watchdog has started it */
    public Optional<ProcessHandle> server() {
        try {
            if (!Files.exists(childPidFile)) {
                return Optional.empty();
            }
            String text = Files.readString(childPidFile, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Polls until the server answers, it exits, or the time is up.
     *
     * @param probe   null when the server answers, else what it said (kept for the message)
     * @param timeout how long to wait
     * @param poll    pause between probes
     * @param what    what is awaited, e.g. {@code no connection} or {@code no PONG}, for the message
     * @return null when ready, else why not
     */
    public String awaitReady(Supplier<String> probe, Duration timeout, Duration poll, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                return "the server process exited";
            }
            String answer = probe.get();
            if (answer == null) {
                return null;
            }
            last = answer;
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return what + " within " + timeout.toSeconds() + " s (last: " + last + ")";
    }

    /**
     * @param lines how many lines from the end
     * @return the last lines the server printed, for error messages
     */
    public String logTail(int lines) {
        return tail(log, lines);
    }

    /**
     * @param file  a text file
     * @param lines how many lines from the end
     * @return those lines, or a note that the file cannot be read
     */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops the server: closes the lifeline so the watchdog sends the stop signal, waits up to {@code grace}, then
     * kills what is left.
     *
     * @param grace how long a graceful stop may take
     */
    public void stop(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        Optional<ProcessHandle> server = server();
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the watchdog is gone already
        }
        try {
            if (!watchdog.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.ifPresent(ProcessHandle::destroyForcibly);
                watchdog.destroyForcibly();
                watchdog.waitFor(5, TimeUnit.SECONDS);
            }
            server.ifPresent(h -> {
                if (h.isAlive()) {
                    h.destroyForcibly();
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.ifPresent(ProcessHandle::destroyForcibly);
            watchdog.destroyForcibly();
        }
    }

    /** Stops the server within ten seconds. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return name;
    }
}
