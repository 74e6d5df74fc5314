package dev.prodlike.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.internal.Cache;
import dev.prodlike.internal.Console;
import dev.prodlike.internal.TreeCopy;
import dev.prodlike.testing.ProfileOverride;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A damaged cache entry (a truncated table file, deleted files, garbage in a config file, a missing binary) is
 * found before it is used, rebuilt, and reported in one line naming the entry; the tests then see their seed rows.
 * Works on private cache directories: one filled once for the class and never damaged, and a copy of it for each test
 * to damage, so no test depends on what another did to the cache.
 */
@org.junit.jupiter.api.condition.DisabledIfSystemProperty(
        named = "prodlike.provider",
        matches = "docker",
        disabledReason = "about the embedded provider's cache; this run forces -Dprodlike.provider=docker")
class DamagedCacheTests {

    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    /** Filled by the first run, intact; each test gets a copy of it. */
    static Path filled;
    /** The seeded table's file in the template's directory, relative to the cluster's data directory. */
    static String templateTableFile;
    /** The current test's copy of the filled cache. */
    static Path cache;

    @ProductionLikeDatabase
    static class SeedRowsTestCase {
        @Test
        void seesTheSeedRows(TenantDatabase db) throws SQLException {
            try (Connection c = db.ownerDataSource().getConnection();
                    Statement s = c.createStatement()) {
                SEEN.put("tenants", String.valueOf(count(s, "SELECT count(*) FROM tenants")));
                try (ResultSet rs = s.executeQuery("SELECT pg_relation_filepath('tenants')")) {
                    rs.next();
                    SEEN.put("file", rs.getString(1));
                }
                try (ResultSet rs =
                        s.executeQuery("SELECT oid FROM pg_database WHERE datname LIKE 'prodlike\\_tpl\\_%'")) {
                    rs.next();
                    SEEN.put("templateOid", rs.getString(1));
                }
            }
        }

        private static int count(Statement s, String sql) throws SQLException {
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @BeforeAll
    static void populate() throws Exception {
        ProvisioningErrorsTests.assumeOwnCacheDirHonoured();
        // World-traversable: when the build runs as root the server runs as an unprivileged user.
        filled = Files.createTempDirectory("prodlike-damaged-cache");
        Files.setPosixFilePermissions(filled, PosixFilePermissions.fromString("rwxr-xr-x"));
        cache = filled;
        assertThat(run()).as("first run fills the cache").isEmpty();
        assertThat(SEEN).containsEntry("tenants", "2");
        // The template's copy of the seeded table (a clone shares its relfilenode).
        templateTableFile = SEEN.get("file").replaceFirst("base/\\d+/", "base/" + SEEN.get("templateOid") + "/");
    }

    @BeforeEach
    void copyTheFilledCache() throws Exception {
        cache = Files.createTempDirectory("prodlike-damaged-cache");
        Files.delete(cache);
        TreeCopy.copyTree(filled, cache); // keeps sizes and modification times: the copy is intact
    }

    @AfterEach
    void removeTheCopy() throws Exception {
        Cache.deleteRecursively(cache);
    }

    @AfterAll
    static void removeCache() throws Exception {
        if (filled != null) { // null: skipped before it was made
            Cache.deleteRecursively(filled);
        }
    }

    @Test
    void aTruncatedTableFileInTheMigratedClusterIsSeenAndTheClusterMigratedAgain() throws Exception {
        Path entry = migratedEntry();
        Path file = entry.resolve("data").resolve(templateTableFile);
        assertThat(Files.size(file)).isPositive();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
        }
        String rel = entry.relativize(file).toString();

        List<String> lines = run();

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .startsWith("cache entry " + entry + " is not as it was saved (" + rel + " changed (size 0, modified ")
                .endsWith("); removed it, so the migrations run again and it is" + " saved anew");
        assertThat(SEEN).containsEntry("tenants", "2");
        assertThat(run()).as("saved anew, intact").isEmpty();
    }

    @Test
    void deletedFilesInTheMigratedClusterAreSeen() throws Exception {
        Path entry = migratedEntry();
        Cache.deleteRecursively(entry.resolve("data").resolve("global"));
        Files.delete(entry.resolve("data").resolve("PG_VERSION"));

        List<String> lines = run();

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .startsWith("cache entry " + entry + " is not as it was saved (data/")
                .contains(" is missing")
                .endsWith("; removed it, so the migrations run again and it is saved anew");
        assertThat(SEEN).containsEntry("tenants", "2");
    }

    @Test
    void garbageInTheCachedClustersConfigurationIsSeenAndInitdbRunsAgain() throws Exception {
        Path entry = single(cache.resolve("postgres").resolve("clusters"));
        Path conf = entry.resolve("data").resolve("postgresql.conf");
        Files.writeString(conf, "this is not = a setting ]]\n", StandardCharsets.UTF_8);
        Path migrated = migratedEntry();
        Files.writeString(migrated.resolve("data").resolve("PG_VERSION"), "garbage\n", StandardCharsets.UTF_8);

        List<String> lines = run();

        assertThat(lines).hasSize(2);
        // The migrated cluster is checked first; once it is gone the pristine one is needed, checked and rebuilt.
        assertThat(lines.get(0))
                .startsWith("cache entry " + migrated + " is not as it was saved (data/PG_VERSION changed (size 8, ")
                .endsWith("); removed it, so the migrations run again and it is saved anew");
        assertThat(lines.get(1))
                .startsWith("cache entry " + entry + " is not as it was saved ("
                        + "data/postgresql.conf changed (size 27, modified ")
                .endsWith(")); rebuilt it");
        assertThat(SEEN).containsEntry("tenants", "2");
    }

    @Test
    void aMissingServerBinaryIsUnpackedAgain() throws Exception {
        Path install;
        try (var list = Files.list(cache.resolve("postgres"))) {
            install = list.filter(p -> Files.isDirectory(p.resolve("bin")))
                    .findFirst()
                    .orElseThrow();
        }
        Files.delete(install.resolve("bin").resolve("postgres"));

        List<String> lines = run();

        assertThat(lines)
                .containsExactly(
                        "cache entry " + install + " is not as it was saved (bin/postgres is missing); rebuilt it");
        assertThat(SEEN).containsEntry("tenants", "2");
        assertThat(install.resolve("bin").resolve("postgres")).isExecutable();
    }

    /** Runs the fixture on the private cache; returns the cache lines of the environment report. */
    private static List<String> run() throws Exception {
        SEEN.clear();
        Path report = Files.createTempDirectory(cache, "report");
        String profile = new String(
                        DamagedCacheTests.class
                                .getResourceAsStream("/prodlike.properties")
                                .readAllBytes(),
                        StandardCharsets.UTF_8)
                + "\ncache-dir=" + cache + "\nreport-dir=" + report + "\n";
        List<String> shown = new ArrayList<>();
        try (Console.Interception console = Console.intercept(cache.toString())) {
            EngineExecutionResults results = ProfileOverride.with(
                    profile,
                    () -> EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(SeedRowsTestCase.class))
                            .execute());
            results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
            for (String line : console.lines()) {
                if (line.startsWith("WARNING ")) {
                    shown.add(line.substring("WARNING ".length()));
                }
            }
        }
        String json = Files.readString(report.resolve("environment.json"));
        Matcher m =
                Pattern.compile("\"cacheRebuilt\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        List<String> lines = new ArrayList<>();
        while (m.find()) {
            for (String line : m.group(1).split("\\\\n")) {
                lines.add(line.replace("\\\"", "\"").replace("\\\\", "\\"));
            }
        }
        assertThat(shown)
                .as("the warnings on the console: one line per rebuilt entry, as in the report")
                .isEqualTo(lines);
        return lines;
    }

    private static Path migratedEntry() throws Exception {
        return single(cache.resolve("postgres").resolve("migrated"));
    }

    private static Path single(Path dir) throws Exception {
        try (var list = Files.list(dir)) {
            List<Path> entries = list.filter(Files::isDirectory).toList();
            assertThat(entries).hasSize(1);
            return entries.get(0);
        }
    }
}
