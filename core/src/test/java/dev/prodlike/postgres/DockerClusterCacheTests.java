package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.Image;
import dev.prodlike.Provider;
import dev.prodlike.testing.ProfileOverride;
import dev.prodlike.testing.TestKitEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * The docker provider keeps the migrated cluster of its first template as a local image, and the next run's container
 * starts from it: no initdb, no migrations, the first tests' databases already cloned. Each run here is a test run of
 * its own (a container of its own); a server setting unique to each test makes its images its own, and they are
 * removed at the end.
 */
@ExtendWith(DockerProviderTests.RequiresDocker.class)
class DockerClusterCacheTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final String REPOSITORY = "localhost/prodlike-postgres-migrated";

    @ProductionLikeDatabase(provider = Provider.DOCKER)
    static class WritingTestCase {
        @Test
        void readsWhatTheMigrationsWroteAndWrites(TenantDatabase db) throws Exception {
            try (Connection c = db.asTenant("acme").getConnection();
                    ResultSet rs = c.createStatement().executeQuery("SELECT count(*), current_user FROM orders")) {
                rs.next();
                SEEN.put("orders", rs.getString(1));
                SEEN.put("user", rs.getString(2));
            }
            SEEN.put("database", db.databaseName());
            try (Connection c = db.ownerDataSource().getConnection()) {
                // a write of this run: it must not reach the next run through the kept cluster
                c.createStatement().execute("INSERT INTO tenants VALUES ('initech', 'Initech')");
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM tenants")) {
                    rs.next();
                    SEEN.put("tenants", rs.getString(1));
                }
            }
        }
    }

    /** Where each test's database lies: its name, then its tablespace and that tablespace's directory. */
    static final Map<Integer, String> PLACES = new ConcurrentHashMap<>();

    @ProductionLikeDatabase(provider = Provider.DOCKER)
    static class PlacesTestCase {
        @RepeatedTest(8)
        void recordsWhereItsDatabaseLies(RepetitionInfo repetition, TenantDatabase db) throws Exception {
            try (Connection c = db.asTenant("acme").getConnection();
                    ResultSet rs = c.createStatement()
                            .executeQuery("SELECT current_database(), t.spcname, pg_tablespace_location(t.oid),"
                                    + " (SELECT count(*) FROM pg_tables WHERE tablename = 'orders'"
                                    + " AND tablespace IS NULL)"
                                    + " FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace"
                                    + " WHERE d.datname = current_database()")) {
                rs.next();
                PLACES.put(
                        repetition.getCurrentRepetition(),
                        rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " orders-in-default="
                                + rs.getString(4));
            }
            if (repetition.getCurrentRepetition() == repetition.getTotalRepetitions()) {
                recordCopies(db);
            }
        }

        /** Waits (up to 10 s) until the pool has made a copy of the template, then records where its copies lie. */
        private static void recordCopies(TenantDatabase db) throws Exception {
            String first = PLACES.get(1).split(" ")[0]; // one of the image's clones: <template>_s<n>
            String copies = first.substring(0, first.lastIndexOf('_')) + "\\_[0-9]+";
            long deadline = System.nanoTime() + 10_000_000_000L;
            try (Connection c = db.ownerDataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT d.datname, t.spcname FROM pg_database d"
                            + " JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname SIMILAR TO ?")) {
                ps.setString(1, copies);
                do {
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            COPIES.put(rs.getString(1), rs.getString(2));
                        }
                    }
                    Thread.sleep(20);
                } while (COPIES.isEmpty() && awaitCopies && System.nanoTime() < deadline);
            }
        }
    }

    /** Whether the last test waits for a copy: without the tmpfs, the image's clones serve eight tests alone. */
    static volatile boolean awaitCopies;

    /** The copies of the template a run made: name, tablespace. */
    static final Map<String, String> COPIES = new ConcurrentHashMap<>();

    private final String clusterName =
            "prodlike-test-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void removeThisTestsImages() {
        for (String image : images()) {
            DockerClientFactory.instance()
                    .client()
                    .removeImageCmd(image)
                    .withForce(true)
                    .exec();
        }
    }

    @Test
    void theNextRunStartsFromTheKeptClusterWithoutMigrating(@TempDir Path reports) throws Exception {
        String first = run(reports.resolve("1"));
        assertThat(first).contains("\"startedFrom\": \"initdb (no kept cluster yet)\"");
        assertThat(SEEN)
                .containsEntry("orders", "2")
                .containsEntry("user", "orders_app")
                .containsEntry("tenants", "3");
        List<String> kept = images();
        assertThat(kept)
                .as("one image, for this base image, command and migrations")
                .hasSize(1);

        String second = run(reports.resolve("2"));
        assertThat(second)
                .contains("\"startedFrom\": \"kept migrated cluster\"")
                .contains("\"migrateMs\": 0");
        assertThat(SEEN)
                .as("the migrations' rows are there, the first run's write is not")
                .containsEntry("orders", "2")
                .containsEntry("user", "orders_app")
                .containsEntry("tenants", "3");
        assertThat(SEEN.get("database"))
                .as("a clone made before the cluster was kept")
                .matches(".*_s[1-4]");
        assertThat(images()).isEqualTo(kept);
    }

    @Test
    void laterRunsCopyTheirDatabasesIntoATablespaceOnATmpfsOfTheContainer(@TempDir Path reports) throws Exception {
        run(reports.resolve("1"));
        String owner = DockerClientFactory.instance()
                .client()
                .inspectImageCmd(images().get(0))
                .exec()
                .getConfig()
                .getLabels()
                .get("dev.prodlike.data-owner");
        assertThat(owner).as("uid:gid of the kept cluster's files").matches("\\d+:\\d+");

        awaitCopies = true;
        String second = run(reports.resolve("2"), PlacesTestCase.class, 8, "");
        assertThat(second)
                .contains("\"startedFrom\": \"kept migrated cluster\"")
                .contains("test databases in tablespace prodlike_clones (a tmpfs of the container)");
        assertThat(PLACES).hasSize(8);
        assertThat(PLACES.values())
                .as("the image's clones lie in pg_default; every copy made in this run lies in the tmpfs")
                .allMatch(place -> place.matches(".*_s[1-4] pg_default  orders-in-default=1")
                        || place.matches(".* prodlike_clones /var/lib/prodlike-clones orders-in-default=1"));
        assertThat(COPIES)
                .as("the copies this run made (the image's clones make way for them)")
                .isNotEmpty()
                .allSatisfy((name, tablespace) -> assertThat(tablespace).isEqualTo("prodlike_clones"));

        awaitCopies = false;
        String third = run(reports.resolve("3"), PlacesTestCase.class, 8, "docker.clones-in-memory=false\n");
        assertThat(third).contains("\"startedFrom\": \"kept migrated cluster\"").doesNotContain("prodlike_clones");
        assertThat(PLACES.values()).hasSize(8).allMatch(place -> place.contains(" pg_default "));
        assertThat(COPIES)
                .allSatisfy((name, tablespace) -> assertThat(tablespace).isEqualTo("pg_default"));
    }

    @Test
    void anImageWithoutProdlikesLabelsIsReportedRemovedAndMadeAgain(@TempDir Path reports) throws Exception {
        run(reports.resolve("1"));
        String kept = images().get(0);
        DockerClientFactory.instance()
                .client()
                .removeImageCmd(kept)
                .withForce(true)
                .exec();
        // another image under its name: postgres:16.4 itself (no cluster, no labels)
        String[] name = kept.split(":", 2);
        DockerClientFactory.instance()
                .client()
                .tagImageCmd("postgres:16.4", name[0], name[1])
                .exec();

        String second = run(reports.resolve("2"));
        assertThat(second).contains("\"startedFrom\": \"initdb (no kept cluster yet)\"");
        assertThat(SEEN).containsEntry("orders", "2").containsEntry("tenants", "3");

        String third = run(reports.resolve("3"));
        assertThat(third).contains("\"startedFrom\": \"kept migrated cluster\"");
        assertThat(SEEN).containsEntry("tenants", "3");
    }

    private String run(Path reports) throws Exception {
        return run(reports, WritingTestCase.class, 1, "");
    }

    private String run(Path reports, Class<?> testCase, int tests, String profile) throws Exception {
        SEEN.clear();
        PLACES.clear();
        COPIES.clear();
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\n"
                        + "postgres.settings.cluster_name=" + clusterName + "\n"
                        + "report-dir=" + reports.toString().replace("\\", "/") + "\n"
                        + profile,
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(testCase))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, tests);
        return Files.readString(reports.resolve("environment.json"));
    }

    /** @return this test's kept images, by name */
    private List<String> images() {
        List<String> mine = new ArrayList<>();
        for (Image image : DockerClientFactory.instance()
                .client()
                .listImagesCmd()
                .withReferenceFilter(REPOSITORY)
                .exec()) {
            InspectImageResponse details = DockerClientFactory.instance()
                    .client()
                    .inspectImageCmd(image.getId())
                    .exec();
            String[] cmd = details.getConfig().getCmd();
            if (cmd != null && String.join(" ", cmd).contains("cluster_name=" + clusterName)) {
                for (String tag : image.getRepoTags()) {
                    mine.add(tag);
                }
            }
        }
        return mine;
    }
}
