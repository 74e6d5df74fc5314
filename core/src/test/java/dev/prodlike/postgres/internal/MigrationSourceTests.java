package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which migrations create the app role themselves, read without a server. */
class MigrationSourceTests {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE USER orders_app WITH PASSWORD 'x';                | true",
                "create role Orders_App login;                            | true",
                "CREATE ROLE \"orders_app\" LOGIN;                        | true",
                "CREATE ROLE ${app_role} LOGIN;                           | true",
                "CREATE ROLE \"${app_role}\" LOGIN;                       | true",
                "CREATE ROLE ${app_role}_admin NOLOGIN BYPASSRLS;         | false",
                "CREATE USER orders_app_readonly;                         | false",
                "CREATE ROLE \"Orders_App\";                              | false",
                "-- CREATE ROLE orders_app;                               | false",
                "/* CREATE USER orders_app */ SELECT 1;                   | false",
            })
    void aMigrationCreatesTheAppRoleOnlyByItsOwnName(String sql, boolean creates, @TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("V1__init.sql"), sql + "\n");
        Optional<String> creator = MigrationSource.creatorOf(List.of("filesystem:" + dir), "orders_app");
        assertThat(creator).isEqualTo(creates ? Optional.of("V1__init.sql") : Optional.empty());
    }
}
