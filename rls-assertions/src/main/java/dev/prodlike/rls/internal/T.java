package dev.prodlike.rls.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** TEMPORARY phase tracing (rlsfirst). */
final class T {
    static final boolean ON = Boolean.getBoolean("rlsfirst.trace");
    static long t0;
    static final StringBuilder LOG = new StringBuilder();
    static Map<String, Long> cpu0 = new TreeMap<>();
    static final List<Integer> PIDS = new ArrayList<>();
    static final Map<Integer, Long> PCPU0 = new TreeMap<>();

    static void begin() {
        t0 = System.nanoTime();
        if (!ON) {
            return;
        }
        mark("-"); // load what marking needs
        System.out.println("AUDITBEGIN " + System.currentTimeMillis());
        synchronized (LOG) {
            LOG.setLength(0);
            PIDS.clear();
            PCPU0.clear();
        }
        cpu0 = threads();
        t0 = System.nanoTime();
    }

    static Map<String, Long> threads() {
        Map<String, Long> out = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path p : ds) {
                try {
                    String name = Files.readString(p.resolve("comm")).trim().replaceAll("[0-9]+$", "#")
                            + "";
                    long ns = Long.parseLong(Files.readString(p.resolve("schedstat")).trim().split(" ")[0]);
                    out.merge(name + "/" + p.getFileName(), ns, Long::sum);
                } catch (Exception e) {
                    // gone
                }
            }
        } catch (Exception e) {
            // none
        }
        return out;
    }

    static long pcpu(int pid) {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim().split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    static void pid(Connection c, String what) {
        if (!ON) {
            return;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            int pid = rs.getInt(1);
            synchronized (LOG) {
                PIDS.add(pid);
                PCPU0.put(pid, pcpu(pid));
                LOG.append("pid ").append(pid).append(' ').append(what).append(" cpu so far ")
                        .append(pcpu(pid) / 1000 / 1000.0).append('\n');
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void serverCpu(String what) {
        if (!ON) {
            return;
        }
        synchronized (LOG) {
            for (int pid : PIDS) {
                LOG.append("server pid ").append(pid).append(" cpu ").append(what).append(": ")
                        .append(pcpu(pid) / 1000 / 1000.0).append(" ms total\n");
            }
        }
    }

    static void mark(String what) {
        if (!ON) {
            return;
        }
        long us = (System.nanoTime() - t0) / 1000;
        long cpu;
        try {
            cpu = Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ")[0]);
        } catch (Exception e) {
            cpu = -1;
        }
        synchronized (LOG) {
            LOG.append(String.valueOf(us / 1000.0)).append(" ms  ").append(Thread.currentThread().getName())
                    .append("  ").append(what).append("  [thread cpu ").append(cpu / 100000 / 10.0).append("]");
            for (int pid : PIDS) {
                LOG.append(" pg").append(pid % 1000).append('=').append((pcpu(pid) - PCPU0.get(pid)) / 100000 / 10.0);
            }
            LOG.append('\n');
        }
    }

    static final Map<String, Long> DONE = new TreeMap<>();

    static void threadDone() {
        if (!ON) {
            return;
        }
        try {
            long ns = Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ")[0]);
            synchronized (DONE) {
                DONE.merge(Thread.currentThread().getName(), ns, Long::sum);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void dump() {
        if (ON) {
            System.out.println("AUDITEND " + System.currentTimeMillis());
            Map<String, Long> now = threads();
            Map<String, Long> byName = new TreeMap<>();
            now.forEach((k, v) -> {
                long d = v - cpu0.getOrDefault(k, 0L);
                if (d > 0) {
                    byName.merge(k.substring(0, k.indexOf('/')), d, Long::sum);
                }
            });
            synchronized (DONE) {
                DONE.forEach((k, v) -> byName.merge(k, v, Long::sum));
                DONE.clear();
            }
            synchronized (LOG) {
                LOG.append("jvm cpu:");
                long total = 0;
                for (var e : byName.entrySet()) {
                    total += e.getValue();
                    if (e.getValue() > 2_000_000) {
                        LOG.append(' ').append(e.getKey()).append('=').append(e.getValue() / 1_000_000).append("ms");
                    }
                }
                LOG.append(" TOTAL=").append(total / 1_000_000).append("ms\n");
                System.out.print("AUDITTRACE\n" + LOG);
            }
        }
    }
}
