package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The primary group read from /etc/passwd and /etc/group is the one {@code id -gn} reports. */
class OsUserTests {

    @Test
    void theGroupReadFromTheFilesIsTheOneIdReports() throws Exception {
        assumeTrue(Files.isReadable(Paths.get("/etc/passwd")) && OsUser.onPath("id"), "a POSIX machine with id");
        List<String> users = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get("/etc/passwd"), StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#") && users.size() < 20) {
                users.add(line.split(":", -1)[0]);
            }
        }
        assertThat(users).isNotEmpty();
        int compared = 0;
        for (String user : users) {
            String fromFiles = OsUser.primaryGroupFromFiles(user);
            if (fromFiles != null) {
                assertThat(fromFiles).as("primary group of " + user).isEqualTo(id(user));
                compared++;
            }
        }
        assertThat(compared).as("users whose group both files name").isPositive();
    }

    @Test
    void aUserTheFilesDoNotKnowIsLeftToId() {
        assertThat(OsUser.primaryGroupFromFiles(
                        "prodlike-no-such-user-" + ProcessHandle.current().pid()))
                .isNull();
    }

    private static String id(String user) throws Exception {
        Process p =
                new ProcessBuilder("id", "-gn", user).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
