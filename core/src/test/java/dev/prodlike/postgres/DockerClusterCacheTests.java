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
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
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
        SEEN.clear();
        EngineExecutionResults results = ProfileOverride.with(
                "postgres.version=16.4\npostgres.app-role=orders_app\n"
                        + "postgres.tenant-setting=app.current_tenant\n"
                        + "postgres.settings.cluster_name=" + clusterName + "\n"
                        + "report-dir=" + reports.toString().replace("\\", "/") + "\n",
                () -> EngineTestKit.engine("junit-jupiter")
                        .selectors(selectClass(WritingTestCase.class))
                        .execute());
        TestKitEvents.assertAllSucceeded(results, 1);
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
