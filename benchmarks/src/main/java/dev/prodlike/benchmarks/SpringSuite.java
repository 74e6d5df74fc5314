package dev.prodlike.benchmarks;

import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.RepeatedTest;
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

import javax.sql.DataSource;
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

/**
 * The Spring Boot row: one suite ({@value #CLASSES} test classes of {@value #TESTS} tests, each placing an order as the
 * app role under RLS through the application's DataSource) run three ways, each in a fresh JVM:
 * <ul>
 *   <li>{@code prodlike}: prodlike-spring, one context for all classes, a fresh migrated database per test;</li>
 *   <li>{@code rollback}: what Spring users do today, one shared database (zonky + Flyway, migrated once) and
 *       {@code @Transactional} tests rolled back, one context;</li>
 *   <li>{@code dirties}: the same with {@code @DirtiesContext} on every class, a context per class.</li>
 * </ul>
 * Writes {@code target/results-spring.md} and {@code .json} (keys {@code spring.*}). Run with
 * {@code mvn -pl benchmarks -am verify -Pbench-spring}.
 */
public final class SpringSuite {

    static final int CLASSES = 10;
    static final int TESTS = 10;
    static final String APP_ROLE = "bench_app";

    private SpringSuite() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1]);
            System.exit(0);
        }
        Path target = Paths.get(args.length > 0 ? args[0] : "target").toAbsolutePath();
        Path work = target.resolve("bench-spring");
        Files.createDirectories(work);
        Children children = new Children(work);
        String loadBefore = load();
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        List<String> modes = List.of(System.getProperty("bench.spring.modes", "prodlike,rollback,dirties").split(","));
        for (String mode : modes) {
            // zonky's PostgreSQL refuses root and cannot switch users: its JVM runs as nobody; prodlike switches itself
            rows.put(mode, children.run("spring-" + mode, !mode.equals("prodlike"), List.of(), SpringSuite.class,
                    "child", mode));
            System.out.println("benchmarks: spring " + mode + " " + rows.get(mode));
        }
        if (rows.size() == 3) {
            write(target, rows, loadBefore, load());
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ child JVM

    static final List<Long> FIRST_CONNECTION = Collections.synchronizedList(new ArrayList<>());
    static final List<Long> CLONE_WAIT = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, AtomicInteger> CONTEXTS = new ConcurrentHashMap<>();

    private static void child(String mode) throws Exception {
        long t0 = System.nanoTime();
        EmbeddedPostgres zonky = null;
        double setupMs = 0;
        if (!mode.equals("prodlike")) {
            zonky = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off").setServerConfig("synchronous_commit", "off").start();
            try (Connection c = zonky.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + APP_ROLE + " LOGIN");
            }
            Flyway.configure().dataSource(zonky.getJdbcUrl("postgres", "postgres"), "postgres", null)
                    .locations("classpath:db/bench").placeholders(Map.of("app_role", APP_ROLE)).load().migrate();
            System.setProperty("bench.spring.url", zonky.getJdbcUrl(APP_ROLE, "postgres"));
            setupMs = (System.nanoTime() - t0) / 1e6;
        }
        List<Class<?>> classes = switch (mode) {
            case "prodlike" -> List.of(P1.class, P2.class, P3.class, P4.class, P5.class, P6.class, P7.class, P8.class,
                    P9.class, P10.class);
            case "rollback" -> List.of(R1.class, R2.class, R3.class, R4.class, R5.class, R6.class, R7.class,
                    R8.class, R9.class, R10.class);
            default -> List.of(D1.class, D2.class, D3.class, D4.class, D5.class, D6.class, D7.class, D8.class,
                    D9.class, D10.class);
        };
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(classes.stream().map(DiscoverySelectors::selectClass).toList())
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false").build();
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
                    failures.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::toString)
                            .orElse("?"));
                }
            }
        });
        double suiteMs = (System.nanoTime() - suite0) / 1e6;
        if (zonky != null) {
            zonky.close();
        }
        if (!failures.isEmpty() || perTest.size() != CLASSES * TESTS) {
            throw new IllegalStateException(mode + ": " + perTest.size() + " tests ran, failures: " + failures);
        }
        int contexts = CONTEXTS.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println("BENCH tests=" + perTest.size() + " contexts=" + contexts + " setupMs=" + setupMs
                + " suiteMs=" + suiteMs + " totalMs=" + (setupMs + suiteMs)
                + " testP50Ms=" + percentile(perTest, 50) + " testP99Ms=" + percentile(perTest, 99)
                + (FIRST_CONNECTION.isEmpty() ? "" : " switchP50Ms=" + percentile(FIRST_CONNECTION, 50)
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

        @RepeatedTest(TESTS)
        void placesAnOrder() throws Exception {
            long t0 = System.nanoTime();
            Connection c = DataSourceUtils.getConnection(dataSource);
            recordFirstConnection(System.nanoTime() - t0);
            try {
                tenant(c);
                Workload.run(c);
            } finally {
                DataSourceUtils.releaseConnection(c, dataSource);
            }
        }

        void recordFirstConnection(long nanos) {
        }

        abstract void tenant(Connection c) throws Exception;
    }

    /** prodlike-spring: the tenant comes from @TenantContext on every connection the application takes. */
    @SpringBootTest(classes = BenchApplication.class, properties = {"bench.mode=prodlike",
            "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not-used"})
    @ProductionLikeDatabase
    @TenantContext("acme")
    abstract static class ProdlikeSuite extends Suite {
        /** The clone the test gets (core's prefetch; waits only when clones are made slower than tests run). */
        @org.junit.jupiter.api.BeforeEach
        void cloneWait() {
            long t0 = System.nanoTime();
            dev.prodlike.internal.CurrentTest.onThisThread().orElseThrow()
                    .resource(dev.prodlike.internal.CurrentTest.POSTGRES, Object.class).orElseThrow();
            CLONE_WAIT.add(System.nanoTime() - t0);
        }

        @Override
        void recordFirstConnection(long nanos) {
            FIRST_CONNECTION.add(nanos);
        }

        @Override
        void tenant(Connection c) {
        }
    }

    /**
     * Today's practice: one database (migrated once by the harness, so the application's Flyway is off as with
     * prodlike), every test in a transaction rolled back at its end.
     */
    @SpringBootTest(classes = BenchApplication.class, properties = {"bench.mode=rollback",
            "spring.datasource.url=${bench.spring.url}", "spring.flyway.enabled=false"})
    @Transactional
    abstract static class RollbackSuite extends Suite {
        // Spring looks for @Transactional on the class that declares the test method, not on the test class.
        @Override
        @RepeatedTest(TESTS)
        void placesAnOrder() throws Exception {
            super.placesAnOrder();
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
    @SpringBootTest(classes = BenchApplication.class, properties = {"bench.mode=dirties",
            "spring.datasource.url=${bench.spring.url}", "spring.flyway.enabled=false"})
    @Transactional
    @DirtiesContext
    abstract static class DirtiesSuite extends RollbackSuite {
    }

    // @formatter:off
    static class P1 extends ProdlikeSuite { } static class P2 extends ProdlikeSuite { }
    static class P3 extends ProdlikeSuite { } static class P4 extends ProdlikeSuite { }
    static class P5 extends ProdlikeSuite { } static class P6 extends ProdlikeSuite { }
    static class P7 extends ProdlikeSuite { } static class P8 extends ProdlikeSuite { }
    static class P9 extends ProdlikeSuite { } static class P10 extends ProdlikeSuite { }
    static class R1 extends RollbackSuite { } static class R2 extends RollbackSuite { }
    static class R3 extends RollbackSuite { } static class R4 extends RollbackSuite { }
    static class R5 extends RollbackSuite { } static class R6 extends RollbackSuite { }
    static class R7 extends RollbackSuite { } static class R8 extends RollbackSuite { }
    static class R9 extends RollbackSuite { } static class R10 extends RollbackSuite { }
    static class D1 extends DirtiesSuite { } static class D2 extends DirtiesSuite { }
    static class D3 extends DirtiesSuite { } static class D4 extends DirtiesSuite { }
    static class D5 extends DirtiesSuite { } static class D6 extends DirtiesSuite { }
    static class D7 extends DirtiesSuite { } static class D8 extends DirtiesSuite { }
    static class D9 extends DirtiesSuite { } static class D10 extends DirtiesSuite { }
    // @formatter:on

    // ------------------------------------------------------------------------------------------------ report

    private static void write(Path target, Map<String, Map<String, Double>> rows, String loadBefore,
                              String loadAfter) throws IOException {
        Map<String, Double> p = rows.get("prodlike");
        Map<String, Double> r = rows.get("rollback");
        Map<String, Double> d = rows.get("dirties");
        StringBuilder md = new StringBuilder();
        md.append("## Spring Boot suite (").append(CLASSES).append(" classes x ").append(TESTS)
                .append(" tests)\n\n| | contexts started | suite total | of which DB setup | per test p50 / p99"
                        + " | database switch p50 / p99 | clone wait p50 / p99 |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        row(md, "prodlike-spring: fresh database per test, one context", p);
        row(md, "one shared database, @Transactional rollback, one context", r);
        row(md, "one shared database, @Transactional rollback, @DirtiesContext per class", d);
        md.append(String.format(Locale.ROOT, "%nLoad average (1/5/15 min): %s before, %s after; %d CPUs. Each"
                + " configuration runs in a fresh JVM; \"DB setup\" is zonky start + Flyway migrate for the"
                + " shared-database rows and is inside the suite for prodlike (server from the cached cluster,"
                + " template). \"Database switch\" is the test's first getConnection() through the application's"
                + " DataSource once the test has its clone: routing, opening a connection as the app role, setting"
                + " the tenant (the connections are closed after the test, inside \"per test\"). \"Clone wait\" is"
                + " getting the test's clone from core's prefetch, the same for any prodlike test.%n", loadBefore, loadAfter, Runtime.getRuntime().availableProcessors()));
        Files.writeString(target.resolve("results-spring.md"), md);
        StringBuilder json = new StringBuilder("{\n  \"spring.load.before\": \"" + loadBefore
                + "\",\n  \"spring.load.after\": \"" + loadAfter + "\"");
        rows.forEach((mode, values) -> values.forEach((k, v) -> json.append(String.format(Locale.ROOT,
                ",%n  \"spring.%s.%s\": %.3f", mode, k, v))));
        json.append("\n}\n");
        Files.writeString(target.resolve("results-spring.json"), json);
        System.out.print(md);
    }

    private static void row(StringBuilder md, String label, Map<String, Double> v) {
        md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f s | %s | %.1f / %.1f ms | %s | %s |%n", label,
                v.get("contexts"), v.get("totalMs") / 1000, v.get("setupMs") > 0
                        ? String.format(Locale.ROOT, "%.1f s", v.get("setupMs") / 1000) : "(in suite)",
                v.get("testP50Ms"), v.get("testP99Ms"), v.containsKey("switchP50Ms")
                        ? String.format(Locale.ROOT, "%.2f / %.2f ms", v.get("switchP50Ms"), v.get("switchP99Ms"))
                        : "n/a", v.containsKey("cloneWaitP50Ms")
                        ? String.format(Locale.ROOT, "%.2f / %.2f ms", v.get("cloneWaitP50Ms"), v.get("cloneWaitP99Ms"))
                        : "n/a"));
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
