package dev.prodlike.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Child JVM of {@link DockerColdStart}: what a Testcontainers user does today in each test JVM, timed like
 * {@link ColdStartMain}'s docker runs. From before the container is built to the first query answered by the migrated
 * database: a plain {@code PostgreSQLContainer} of the same image prodlike's docker provider runs
 * ({@code postgres:<version>}, the version of the benchmarks' profile, passed as the first argument), the app role
 * created as a superuser, Flyway {@code migrate} of the same migrations ({@code db/bench}), and the same first query
 * as the app role with the tenant set. The container is stopped after the clock.
 */
public final class TestcontainersFlywayMain {

    private TestcontainersFlywayMain() {}

    public static void main(String[] args) throws Exception {
        String image = "postgres:" + args[0];
        long t0 = System.nanoTime();
        try (PostgreSQLContainer postgres = new PostgreSQLContainer(DockerImageName.parse(image))) {
            postgres.start();
            long started = System.nanoTime();
            try (Connection c = DriverManager.getConnection(
                            postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + SpringSuite.APP_ROLE + " LOGIN PASSWORD 'bench'");
            }
            Flyway.configure()
                    .dataSource(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword())
                    .locations("classpath:db/bench")
                    .placeholders(Map.of("app_role", SpringSuite.APP_ROLE))
                    .load()
                    .migrate();
            long migrated = System.nanoTime();
            try (Connection c = Workload.asAcme(
                            DriverManager.getConnection(postgres.getJdbcUrl(), SpringSuite.APP_ROLE, "bench"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM order_summary")) {
                rs.next();
            }
            long firstQuery = System.nanoTime();
            System.out.println("BENCH coldMs=" + (firstQuery - t0) / 1e6 + " containerStartMs=" + (started - t0) / 1e6
                    + " migrateMs=" + (migrated - started) / 1e6);
        }
        System.exit(0);
    }
}
