package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.ProductionProfile;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a pool copies its template when the server offers the clones a tablespace of their own, on a real server.
 * The Docker provider's tablespace on a tmpfs is {@code DockerClusterCacheTests}'; here the server offers one that
 * copies cannot go into (a full tmpfs, a tablespace gone), which a test cannot make happen inside a container.
 */
class CloneTablespaceTests {

    private static EmbeddedPostgres server;

    @BeforeAll
    static void start() {
        server = EmbeddedPostgres.start(ProductionProfile.of(Map.of("postgres.version", "16.4")), null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCopyThatCannotGoIntoTheClonesTablespaceGoesIntoPgDefaultAndSoDoEveryLaterOne() throws SQLException {
        CloneTablespace tablespace = new CloneTablespace(offering("prodlike_no_such_tablespace"), List.of());
        List<String> clauses = new ArrayList<>();
        for (String name : List.of("fallback_a", "fallback_b")) {
            tablespace.copy(into -> {
                clauses.add(into);
                execute("CREATE DATABASE " + name + " TEMPLATE template1" + into);
            });
        }
        assertThat(clauses)
                .as("the first copy tries the tablespace once, then every copy goes into pg_default")
                .containsExactly(" TABLESPACE \"prodlike_no_such_tablespace\"", "", "");
        assertThat(tablespaceOf("fallback_a")).isEqualTo("pg_default");
        assertThat(tablespaceOf("fallback_b")).isEqualTo("pg_default");
    }

    @Test
    void aCopyThatFailsWithoutAClonesTablespaceFailsAsItIs() {
        CloneTablespace tablespace = new CloneTablespace(server, List.of());
        List<String> clauses = new ArrayList<>();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tablespace.copy(into -> {
                    clauses.add(into);
                    execute("CREATE DATABASE fails TEMPLATE no_such_template" + into);
                }))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_template");
        assertThat(clauses).containsExactly("");
    }

    @Test
    void onlyAClonesOwnTablespaceMakesTheClonesOutsideItGiveWay() {
        CloneTablespace offered = new CloneTablespace(offering("t"), List.of("tpl_s1"));
        assertThat(offered.makesWayFor("tpl_s1", true)).isTrue();
        assertThat(offered.makesWayFor("tpl_s1", false))
                .as("with no other database ready it serves again")
                .isFalse();
        assertThat(offered.makesWayFor("tpl_7", true)).isFalse();
        assertThat(new CloneTablespace(server, List.of("tpl_s1")).makesWayFor("tpl_s1", true))
                .as("no tablespace of their own: every clone is handed on as before")
                .isFalse();
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String tablespaceOf(String database) throws SQLException {
        try (Connection c = server.ownerConnection(server.adminDatabase());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT t.spcname FROM pg_database d JOIN pg_tablespace t"
                        + " ON t.oid = d.dattablespace WHERE d.datname = '" + database + "'")) {
            assertThat(rs.next()).as(database + " exists").isTrue();
            return rs.getString(1);
        }
    }

    /** The embedded server, offering its clones a tablespace of the given name. */
    private static PgServer offering(String tablespace) {
        return new PgServer() {
            @Override
            public boolean offersCloneTablespace() {
                return true;
            }

            @Override
            public Optional<String> cloneTablespace() {
                return Optional.of(tablespace);
            }

            @Override
            public String host() {
                return server.host();
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public String ownerUser() {
                return server.ownerUser();
            }

            @Override
            public String ownerPassword() {
                return server.ownerPassword();
            }

            @Override
            public String adminDatabase() {
                return server.adminDatabase();
            }

            @Override
            public String description() {
                return server.description();
            }

            @Override
            public String provider() {
                return server.provider();
            }

            @Override
            public boolean provisioned() {
                return server.provisioned();
            }

            @Override
            public Map<String, String> deliberateSettings() {
                return server.deliberateSettings();
            }

            @Override
            public long startMillis() {
                return server.startMillis();
            }

            @Override
            public void close() {}
        };
    }
}
