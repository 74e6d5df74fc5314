package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resident memory of a server: VmRSS from {@code /proc/<pid>/status}, summed over a process and all its descendants
 * (PostgreSQL's postmaster plus its backends and auxiliary processes). Summed RSS counts pages shared between the
 * processes (shared_buffers, binaries) once per process, so the proportional set size (Pss, which splits shared
 * pages among their users) is reported beside it.
 */
final class Rss {

    private Rss() {}

    /** One sample: summed VmRSS and Pss in MB, and how many processes were summed. */
    record Sample(double rssMb, double pssMb, int processes) {
        Sample max(Sample other) {
            return other == null || rssMb >= other.rssMb ? this : other;
        }
    }

    /** @param root the top process of the server @return the sum over it and its descendants */
    static Sample tree(long root) {
        Map<Long, Long> parents = parents();
        List<Long> members = new ArrayList<>();
        members.add(root);
        for (int i = 0; i < members.size(); i++) {
            long p = members.get(i);
            parents.forEach((child, parent) -> {
                if (parent == p) {
                    members.add(child);
                }
            });
        }
        double rssKb = 0;
        double pssKb = 0;
        int counted = 0;
        for (long pid : members) {
            long rss = statusKb(pid, "VmRSS:");
            if (rss >= 0) {
                rssKb += rss;
                counted++;
                long pss = rollupKb(pid, "Pss:");
                pssKb += Math.max(0, pss);
            }
        }
        return new Sample(rssKb / 1024.0, pssKb / 1024.0, counted);
    }

    /** @return parent pid of {@code pid}, or -1 */
    static long parentOf(long pid) {
        return statusKb(pid, "PPid:");
    }

    private static Map<Long, Long> parents() {
        Map<Long, Long> map = new TreeMap<>();
        try (var list = Files.list(Paths.get("/proc"))) {
            list.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long pid = Long.parseLong(name);
                    long ppid = statusKb(pid, "PPid:");
                    if (ppid >= 0) {
                        map.put(pid, ppid);
                    }
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list /proc: " + e.getMessage(), e);
        }
        return map;
    }

    private static long statusKb(long pid, String field) {
        return field(Paths.get("/proc", String.valueOf(pid), "status"), field);
    }

    private static long rollupKb(long pid, String field) {
        return field(Paths.get("/proc", String.valueOf(pid), "smaps_rollup"), field);
    }

    private static long field(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1; // the process ended, or the file is unreadable
        }
        return -1;
    }
}
