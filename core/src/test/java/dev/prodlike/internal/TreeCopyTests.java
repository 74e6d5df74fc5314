package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cache entry's copy must keep: a cache manifest compares sizes and modification times to the nanosecond, and
 * a cluster's server refuses a data directory with other permissions.
 */
@DisabledOnOs(
        value = OS.WINDOWS,
        disabledReason = "POSIX permissions and owners; the embedded provider it serves runs on Linux and macOS only")
class TreeCopyTests {

    private static final FileTime ODD_TIME = FileTime.from(Instant.parse("2026-12-07T10:00:00.123456789Z"));

    @TempDir
    Path dir;

    Path from;

    @BeforeEach
    void aTree() throws IOException {
        from = Files.createDirectory(dir.resolve("from"));
        Files.setPosixFilePermissions(from, PosixFilePermissions.fromString("rwx------"));
        Path sub = Files.createDirectories(from.resolve("base").resolve("5"));
        for (int i = 0; i < 300; i++) {
            Path file = sub.resolve(String.valueOf(1000 + i));
            Files.writeString(file, "page " + i, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.setLastModifiedTime(file, ODD_TIME);
        }
        Files.writeString(from.resolve("PG_VERSION"), "16\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(from.resolve("PG_VERSION"), ODD_TIME);
        Files.createDirectories(from.resolve("pg_wal").resolve("archive_status"));
    }

    @Test
    void aCopiedTreeKeepsContentsPermissionsAndNanosecondTimes() throws IOException {
        Path to = dir.resolve("to");

        TreeCopy.copyTree(from, to);

        assertSameTree(from, to);
        assertThat(Files.getPosixFilePermissions(to)).isEqualTo(Files.getPosixFilePermissions(from));
    }

    @Test
    void allButSomeEntriesAreCopiedTheSameWay() throws IOException {
        Path to = dir.resolve("to");

        TreeCopy.copyTreeExcept(from, to, "base");

        assertThat(to.resolve("base")).doesNotExist();
        assertThat(to.resolve("pg_wal").resolve("archive_status")).isDirectory();
        assertThat(Files.getLastModifiedTime(to.resolve("PG_VERSION"))).isEqualTo(ODD_TIME);
        assertThat(Files.getPosixFilePermissions(to)).isEqualTo(Files.getPosixFilePermissions(from));
    }

    @Test
    void aFailedCopyNamesItsCauseAndLeavesNoPartialTarget() throws IOException {
        Path missing = dir.resolve("no-such-tree");
        Path to = dir.resolve("to");

        assertThatThrownBy(() -> TreeCopy.copyTree(missing, to))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
        assertThat(to).doesNotExist();
    }

    private static void assertSameTree(Path a, Path b) throws IOException {
        try (var walk = Files.walk(a)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path q = b.resolve(a.relativize(p).toString());
                assertThat(q).exists();
                if (Files.isRegularFile(p)) {
                    assertThat(q).hasSameBinaryContentAs(p);
                    assertThat(Files.getLastModifiedTime(q))
                            .as("modification time of %s", q)
                            .isEqualTo(Files.getLastModifiedTime(p));
                    assertThat(Files.getPosixFilePermissions(q)).isEqualTo(Files.getPosixFilePermissions(p));
                }
            }
        }
    }
}
