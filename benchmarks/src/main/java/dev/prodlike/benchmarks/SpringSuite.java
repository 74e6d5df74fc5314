package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import io.zonky.test.db.AutoConfigureEmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Spring Boot row: one suite ({@value #CLASSES} test classes of {@value #TESTS} tests, each placing an order as the
 * app role under RLS through the application's DataSource) run three ways, each in a fresh JVM:
 * <ul>
 *   <li>{@code prodlike}: prodlike-spring, one context for all classes, a fresh migrated database per test;</li>
 *   <li>{@code rollback}: what Spring users do today, one shared database (zonky + Flyway, migrated once) and
 *       {@code @Transactional} tests rolled back, one context;</li>
 *   <li>{@code dirties}: the same with {@code @DirtiesContext} on every class, a context per class;</li>
 *   <li>{@code edst}: the Spring peer that also gives each test a fresh database, zonky's
 *       embedded-database-spring-test with {@code refresh = AFTER_EACH_TEST_METHOD} (Flyway run by the application,
 *       its result kept as a template and copied for every test);</li>
 *   <li>{@code prodlike1000} and {@code rollback1000}: the first two with {@value #TESTS_1000} tests per class
 *       (1,000 tests), where a per-test cost outweighs the setup.</li>
 * </ul>
 * Writes {@code target/results-spring.md} and {@code .json} (keys {@code spring.<mode>.*} and the goal ratios
 * {@code spring.goal.*}). Run with {@code mvn -pl benchmarks -am verify -Pbench-spring}. For a quick check of the
 * harness itself, {@code -Dbench.spring.modes=edst,prodlike1000}, {@code -Dbench.spring.classes=2} and
 * {@code -Dbench.spring.tests=2 -Dbench.spring.tests1000=3} (tests per class) shrink the run; the figures of such a
 * run mean nothing.
 */
public final class SpringSuite {

    static final int CLASSES = 10;
    static final int TESTS = 10;
    static final int TESTS_1000 = 100;
    /** The child's tests per class, set from the parent's choice for the mode; read by {@link Suite#tests()}. */
    static final String TESTS_PROPERTY = "bench.spring.child.tests";

    static final String APP_ROLE = "bench_app";

    private SpringSuite() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Integer.parseInt(args[2]));
            System.exit(0);
        }
        Path target = Paths.get(args.length > 0 ? args[0] : "target").toAbsolutePath();
        Path work = target.resolve("bench-spring");
        Files.createDirectories(work);
        Children children = new Children(work);
        String loadBefore = load();
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        List<String> modes = List.of(
                System.getProperty("bench.spring.modes", "prodlike,rollback,dirties,edst,prodlike1000,rollback1000")
                        .split(","));
        int classes = Integer.getInteger("bench.spring.classes", CLASSES);
        Map<String, String> loads = new LinkedHashMap<>();
        for (String mode : modes) {
            boolean thousand = mode.endsWith("1000");
            int tests = Integer.getInteger(
                    thousand ? "bench.spring.tests1000" : "bench.spring.tests", thousand ? TESTS_1000 : TESTS);
            String base = thousand ? mode.substring(0, mode.length() - 4) : mode;
            loads.put(mode, load());
            // zonky's PostgreSQL refuses root and cannot switch users: its JVM runs as nobody; prodlike switches itself
            rows.put(
                    mode,
                    children.run(
                            "spring-" + mode,
                            !base.equals("prodlike"),
                            List.of("-D" + TESTS_PROPERTY + "=" + tests),
                            SpringSuite.class,
                            "child",
                            base,
                            String.valueOf(classes)));
            System.out.println("benchmarks: spring " + mode + " " + rows.get(mode));
        }
        write(target, rows, loads, loadBefore, load());
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ child JVM

    static final List<Long> FIRST_CONNECTION = Collections.synchronizedList(new ArrayList<>());
    static final List<Long> CLONE_WAIT = Collections.synchronizedList(new ArrayList<>());
    /** The test's own statements: the tenant (rollback, edst) and the workload, once it has its connection. */
    static final List<Long> BODY = Collections.synchronizedList(new ArrayList<>());

    static final Map<String, AtomicInteger> CONTEXTS = new ConcurrentHashMap<>();

    private static void child(String mode, int classCount) throws Exception {
        long t0 = System.nanoTime();
        EmbeddedPostgres zonky = null;
        double setupMs = 0;
        if (mode.equals("rollback") || mode.equals("dirties")) {
            zonky = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .start();
            try (Connection c = zonky.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
            }
            Flyway.configure()
                    .dataSource(zonky.getJdbcUrl("postgres", "postgres"), "postgres", null)
                    .locations("classpath:db/bench")
                    .placeholders(Map.of("app_role", APP_ROLE))
                    .load()
                    .migrate();
            System.setProperty("bench.spring.url", zonky.getJdbcUrl(APP_ROLE, "postgres"));
            setupMs = (System.nanoTime() - t0) / 1e6;
        }
        List<Class<?>> classes = switch (mode) {
            case "prodlike" ->
                List.of(
                        P1.class, P2.class, P3.class, P4.class, P5.class, P6.class, P7.class, P8.class, P9.class,
                        P10.class);
            case "rollback" ->
                List.of(
                        R1.class, R2.class, R3.class, R4.class, R5.class, R6.class, R7.class, R8.class, R9.class,
                        R10.class);
            case "edst" ->
                List.of(
                        E1.class, E2.class, E3.class, E4.class, E5.class, E6.class, E7.class, E8.class, E9.class,
                        E10.class);
            case "dirties" ->
                List.of(
                        D1.class, D2.class, D3.class, D4.class, D5.class, D6.class, D7.class, D8.class, D9.class,
                        D10.class);
            default ->
                throw new IllegalArgumentException("unknown Spring benchmark mode '" + mode
                        + "': use prodlike, rollback, dirties or edst (with 1000 appended for the first two)");
        };
        classes = classes.subList(0, Math.max(1, Math.min(classes.size(), classCount)));
        int expected = classes.size() * Integer.getInteger(TESTS_PROPERTY, TESTS);
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(classes.stream().map(DiscoverySelectors::selectClass).toList())
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
        List<Long> perTest = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> started = new ConcurrentHashMap<>();
        long suite0 = System.nanoTime();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier id) {
                if (id.isTest()) {
                    started.put(id.getUniqueId(), System.nanoTime());
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    perTest.add(System.nanoTime() - started.get(id.getUniqueId()));
                }
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    failures.add(id.getDisplayName() + ": "
                            + result.getThrowable().map(Throwable::toString).orElse("?"));
                }
            }
        });
        double suiteMs = (System.nanoTime() - suite0) / 1e6;
        if (zonky != null) {
            zonky.close();
        }
        if (!failures.isEmpty() || perTest.size() != expected) {
            throw new IllegalStateException(mode + ": " + perTest.size() + " tests ran, failures: " + failures);
        }
        int contexts = CONTEXTS.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println("BENCH tests=" + perTest.size() + " contexts=" + contexts + " setupMs=" + setupMs
                + " suiteMs=" + suiteMs + " totalMs=" + (setupMs + suiteMs)
                + " testP50Ms=" + percentile(perTest, 50) + " testP99Ms=" + percentile(perTest, 99)
                + " bodyP50Ms=" + percentile(BODY, 50) + " bodyP99Ms=" + percentile(BODY, 99)
                + (FIRST_CONNECTION.isEmpty()
                        ? ""
                        : " switchP50Ms=" + percentile(FIRST_CONNECTION, 50)
                                + " switchP99Ms=" + percentile(FIRST_CONNECTION, 99) + " cloneWaitP50Ms="
                                + percentile(CLONE_WAIT, 50) + " cloneWaitP99Ms=" + percentile(CLONE_WAIT, 99)));
    }

    static double percentile(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    /** The application: Spring Boot's DataSource from spring.datasource.*, JdbcTemplate, transactions. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    public static class BenchApplication {
        @Bean
        Object contextCounter(org.springframework.core.env.Environment environment) {
            CONTEXTS.computeIfAbsent(environment.getProperty("bench.mode", "?"), k -> new AtomicInteger())
                    .incrementAndGet();
            return new Object();
        }
    }

    /** Every test: the shared workload through the application's DataSource (its transaction's connection, if any). */
    abstract static class Suite {
        @Autowired
        DataSource dataSource;

        /** Tests per class: a parameterized test, so that the count can be chosen per run (Spring's per-test
         * listeners, transactions included, run for each invocation as for any test method). */
        static IntStream tests() {
            return IntStream.rangeClosed(1, Integer.getInteger(TESTS_PROPERTY, TESTS));
        }

        @ParameterizedTest
        @MethodSource("tests")
        void placesAnOrder(int test) throws Exception {
            long t0 = System.nanoTime();
            Connection c = DataSourceUtils.getConnection(dataSource);
            recordFirstConnection(System.nanoTime() - t0);
            try {
                long body = System.nanoTime();
                tenant(c);
                Workload.run(c);
                BODY.add(System.nanoTime() - body);
            } finally {
                DataSourceUtils.releaseConnection(c, dataSource);
            }
        }

        void recordFirstConnection(long nanos) {}

        abstract void tenant(Connection c) throws Exception;
    }

    /** prodlike-spring: the tenant comes from @TenantContext on every connection the application takes. */
    @SpringBootTest(
            classes = BenchApplication.class,
            properties = {"bench.mode=prodlike", "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not-used"})
    @ProductionLikeDatabase
    @TenantContext("acme")
    abstract static class ProdlikeSuite extends Suite {
        /** The clone the test gets (core's prefetch; waits only when clones are made slower than tests run). */
        @org.junit.jupiter.api.BeforeEach
        void cloneWait() {
            long t0 = System.nanoTime();
            dev.prodlike.internal.CurrentTest.onThisThread()
                    .orElseThrow()
                    .resource(dev.prodlike.internal.CurrentTest.POSTGRES, Object.class)
                    .orElseThrow();
            CLONE_WAIT.add(System.nanoTime() - t0);
        }

        @Override
        void recordFirstConnection(long nanos) {
            FIRST_CONNECTION.add(nanos);
        }

        @Override
        void tenant(Connection c) {}
    }

    /**
     * Today's practice: one database (migrated once by the harness, so the application's Flyway is off as with
     * prodlike), every test in a transaction rolled back at its end.
     */
    @SpringBootTest(
            classes = BenchApplication.class,
            properties = {
                "bench.mode=rollback",
                "spring.datasource.url=${bench.spring.url}",
                "spring.flyway.enabled=false"
            })
    @Transactional
    abstract static class RollbackSuite extends Suite {
        // Spring looks for @Transactional on the class that declares the test method, not on the test class.
        @Override
        @ParameterizedTest
        @MethodSource("tests")
        void placesAnOrder(int test) throws Exception {
            super.placesAnOrder(test);
        }

        @Override
        void tenant(Connection c) throws Exception {
            if (c.getAutoCommit()) {
                throw new IllegalStateException("no test-managed transaction: the row would not be rolled back");
            }
            try (Statement s = c.createStatement()) {
                s.execute("SELECT set_config('app.current_tenant', 'acme', true)");
            }
        }
    }

    /** The same with a fresh context per class. */
    @SpringBootTest(
            classes = BenchApplication.class,
            properties = {
                "bench.mode=dirties",
                "spring.datasource.url=${bench.spring.url}",
                "spring.flyway.enabled=false"
            })
    @Transactional
    @DirtiesContext
    abstract static class DirtiesSuite extends RollbackSuite {}

    /**
     * zonky's embedded-database-spring-test: the application's Flyway (Boot's auto-configuration, the same
     * migrations; a beforeMigrate callback creates the app role, which PostgreSQL keeps per server) runs once, its
     * result is kept as a template and every test gets a fresh copy, refreshed after each test method. Its DataSource
     * connects as the superuser, so each connection switches to the app role and sets the tenant in one statement,
     * as the rollback row sets its tenant.
     */
    @SpringBootTest(
            classes = {BenchApplication.class, EdstFlyway.class},
            properties = {
                "bench.mode=edst",
                "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/replaced-by-edst",
                "spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration"
            })
    @AutoConfigureEmbeddedDatabase(
            provider = AutoConfigureEmbeddedDatabase.DatabaseProvider.ZONKY,
            refresh = AutoConfigureEmbeddedDatabase.RefreshMode.AFTER_EACH_TEST_METHOD)
    abstract static class EdstSuite extends Suite {
        @Override
        void tenant(Connection c) throws Exception {
            try (Statement s = c.createStatement()) {
                s.execute("SET ROLE " + APP_ROLE + "; SELECT set_config('app.current_tenant', 'acme', false)");
            }
        }
    }

    /**
     * The application's Flyway for the edst row, as Boot's auto-configuration would declare it (a {@code Flyway} bean
     * migrated by a {@code FlywayMigrationInitializer}, which embedded-database-spring-test intercepts). Declared here
     * because Boot 3.5's {@code FlywayAutoConfiguration} calls {@code cleanOnValidationError}, which the Flyway of the
     * benchmarks (the project's) no longer has.
     */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class EdstFlyway {
        @Bean
        Flyway flyway(DataSource dataSource) {
            return Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/bench", "classpath:db/edst")
                    .placeholders(Map.of("app_role", APP_ROLE))
                    .load();
        }

        @Bean
        org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer flywayInitializer(Flyway flyway) {
            return new org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer(flyway);
        }
    }

    // @formatter:off
    static class P1 extends ProdlikeSuite {}

    static class P2 extends ProdlikeSuite {}

    static class P3 extends ProdlikeSuite {}

    static class P4 extends ProdlikeSuite {}

    static class P5 extends ProdlikeSuite {}

    static class P6 extends ProdlikeSuite {}

    static class P7 extends ProdlikeSuite {}

    static class P8 extends ProdlikeSuite {}

    static class P9 extends ProdlikeSuite {}

    static class P10 extends ProdlikeSuite {}

    static class R1 extends RollbackSuite {}

    static class R2 extends RollbackSuite {}

    static class R3 extends RollbackSuite {}

    static class R4 extends RollbackSuite {}

    static class R5 extends RollbackSuite {}

    static class R6 extends RollbackSuite {}

    static class R7 extends RollbackSuite {}

    static class R8 extends RollbackSuite {}

    static class R9 extends RollbackSuite {}

    static class R10 extends RollbackSuite {}

    static class D1 extends DirtiesSuite {}

    static class D2 extends DirtiesSuite {}

    static class D3 extends DirtiesSuite {}

    static class D4 extends DirtiesSuite {}

    static class D5 extends DirtiesSuite {}

    static class D6 extends DirtiesSuite {}

    static class D7 extends DirtiesSuite {}

    static class D8 extends DirtiesSuite {}

    static class D9 extends DirtiesSuite {}

    static class D10 extends DirtiesSuite {}

    static class E1 extends EdstSuite {}

    static class E2 extends EdstSuite {}

    static class E3 extends EdstSuite {}

    static class E4 extends EdstSuite {}

    static class E5 extends EdstSuite {}

    static class E6 extends EdstSuite {}

    static class E7 extends EdstSuite {}

    static class E8 extends EdstSuite {}

    static class E9 extends EdstSuite {}

    static class E10 extends EdstSuite {}
    // @formatter:on

    // ------------------------------------------------------------------------------------------------ report

    private static void write(
            Path target,
            Map<String, Map<String, Double>> rows,
            Map<String, String> loads,
            String loadBefore,
            String loadAfter)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("## Spring Boot suite\n\n| | tests | contexts started | suite total | of which DB setup"
                + " | per test p50 / p99 | of which statements p50 / p99 | database switch p50 / p99"
                + " | clone wait p50 / p99 | load before |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        Map<String, String> labels = Map.of(
                "prodlike", "prodlike-spring: fresh database per test, one context",
                "rollback", "one shared database, @Transactional rollback, one context",
                "dirties", "one shared database, @Transactional rollback, @DirtiesContext per class",
                "edst", "embedded-database-spring-test, refresh = AFTER_EACH_TEST_METHOD, one context",
                "prodlike1000", "prodlike-spring, 1,000-test variant",
                "rollback1000", "@Transactional rollback, 1,000-test variant");
        rows.forEach((mode, v) -> row(md, labels.getOrDefault(mode, mode), v, loads.get(mode)));
        List<Goal> goals = List.of(
                new Goal(
                        "totalVsRollback",
                        "prodlike total / rollback total (100 tests)",
                        "prodlike",
                        "rollback",
                        "totalMs",
                        1.0),
                new Goal(
                        "testP50VsRollback",
                        "prodlike per-test p50 / rollback's",
                        "prodlike",
                        "rollback",
                        "testP50Ms",
                        2.0),
                new Goal(
                        "totalVsEdst",
                        "prodlike total / embedded-database-spring-test total",
                        "prodlike",
                        "edst",
                        "totalMs",
                        0.5),
                new Goal(
                        "total1000VsRollback1000",
                        "prodlike total / rollback total (1,000 tests)",
                        "prodlike1000",
                        "rollback1000",
                        "totalMs",
                        1.2));
        md.append("\n| goal | ratio | target | met | load before the two rows (1/5/15 min) |\n"
                + "| --- | --- | --- | --- | --- |\n");
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (Goal g : goals) {
            Map<String, Double> a = rows.get(g.mode());
            Map<String, Double> b = rows.get(g.against());
            if (a == null || b == null) {
                md.append(String.format(Locale.ROOT, "| %s | not run | ≤ %.1f× | | |%n", g.label(), g.max()));
                continue;
            }
            double ratio = a.get(g.key()) / b.get(g.key());
            ratios.put(g.name(), ratio);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.2f× | ≤ %.1f× | %s | %s; %s |%n",
                    g.label(),
                    ratio,
                    g.max(),
                    ratio <= g.max() ? "yes" : "**no**",
                    loads.get(g.mode()),
                    loads.get(g.against())));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nLoad average (1/5/15 min): %s before, %s after; %d CPUs. Each"
                        + " configuration runs in a fresh JVM; \"DB setup\" is zonky start + Flyway migrate for the"
                        + " shared-database rows and is inside the suite for prodlike (server from the cached cluster,"
                        + " template) and for embedded-database-spring-test (server, the application's Flyway, template)."
                        + " \"Database switch\" is the test's first getConnection() through the application's"
                        + " DataSource once the test has its clone: routing, opening a connection as the app role, setting"
                        + " the tenant (the connections are closed after the test, inside \"per test\"). \"Statements\" is the test's own"
                        + " work once it has its connection: the tenant where the test sets it, the order placed and read"
                        + " back (prodlike commits it; rollback's transaction is rolled back after, outside it). \"Clone wait\" is"
                        + " getting the test's clone from core's prefetch, the same for any prodlike test.%n",
                loadBefore,
                loadAfter,
                Runtime.getRuntime().availableProcessors()));
        Files.writeString(target.resolve("results-spring.md"), md);
        StringBuilder json = new StringBuilder(
                "{\n  \"spring.load.before\": \"" + loadBefore + "\",\n  \"spring.load.after\": \"" + loadAfter + "\"");
        loads.forEach((mode, load) ->
                json.append(String.format(Locale.ROOT, ",%n  \"spring.%s.loadBefore\": \"%s\"", mode, load)));
        rows.forEach((mode, values) -> values.forEach(
                (k, v) -> json.append(String.format(Locale.ROOT, ",%n  \"spring.%s.%s\": %.3f", mode, k, v))));
        ratios.forEach((name, v) -> json.append(String.format(Locale.ROOT, ",%n  \"spring.goal.%s\": %.3f", name, v)));
        json.append("\n}\n");
        Files.writeString(target.resolve("results-spring.json"), json);
        System.out.print(md);
    }

    /** One goal of issue 27: {@code mode}'s {@code key} divided by {@code against}'s, at most {@code max}. */
    private record Goal(String name, String label, String mode, String against, String key, double max) {}

    private static void row(StringBuilder md, String label, Map<String, Double> v, String load) {
        md.append(String.format(
                Locale.ROOT,
                "| %s | %.0f | %.0f | %.1f s | %s | %.1f / %.1f ms | %.1f / %.1f ms | %s | %s | %s |%n",
                label,
                v.get("tests"),
                v.get("contexts"),
                v.get("totalMs") / 1000,
                v.get("setupMs") > 0 ? String.format(Locale.ROOT, "%.1f s", v.get("setupMs") / 1000) : "(in suite)",
                v.get("testP50Ms"),
                v.get("testP99Ms"),
                v.get("bodyP50Ms"),
                v.get("bodyP99Ms"),
                v.containsKey("switchP50Ms")
                        ? String.format(Locale.ROOT, "%.2f / %.2f ms", v.get("switchP50Ms"), v.get("switchP99Ms"))
                        : "n/a",
                v.containsKey("cloneWaitP50Ms")
                        ? String.format(Locale.ROOT, "%.2f / %.2f ms", v.get("cloneWaitP50Ms"), v.get("cloneWaitP99Ms"))
                        : "n/a",
                load));
    }

    private static String load() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
