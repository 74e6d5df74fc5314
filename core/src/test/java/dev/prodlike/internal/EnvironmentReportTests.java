package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report is merged from one part per JVM and engine run. Parts of an earlier build are removed; parts of another
 * build that is still running (a JVM that a test started, whose parent is the test JVM, not Maven) are kept, since
 * that build may be writing them at this moment.
 */
class EnvironmentReportTests {

    @Test
    void keepsTheReportPartsOfABuildStillRunningAndRemovesThoseOfAFinishedOne(@TempDir Path dir) throws Exception {
        Path parts = dir.resolve(".parts");
        Files.createDirectories(parts);
        // this JVM is alive and is not the build of the report written below (that is this JVM's parent)
        long alive = ProcessHandle.current().pid();
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long gone = finished.pid();
        Path running = parts.resolve(alive + "-" + alive + "-9.json");
        Path stale = parts.resolve(gone + "-" + gone + "-1.json");
        Files.writeString(running, "[]");
        Files.writeString(stale, "[]");

        EnvironmentReport report = new EnvironmentReport(dir);
        report.put(new EnvironmentReport.Entry("postgres-16.4-1", "PostgreSQL 16.4", "embedded"));

        assertThat(running).exists();
        assertThat(stale).doesNotExist();
        assertThat(Files.readString(dir.resolve("environment.json"))).contains("postgres-16.4-1");
        try (var list = Files.list(parts)) {
            assertThat(list.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
