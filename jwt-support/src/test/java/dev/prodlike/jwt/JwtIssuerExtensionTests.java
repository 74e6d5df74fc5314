package dev.prodlike.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.prodlike.jwt.internal.LocalIssuer;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.ConnectException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class JwtIssuerExtensionTests {

    /** Issuers the fixtures saw, to check what the Store did with them afterwards. */
    static final List<TestTokens> SEEN = new CopyOnWriteArrayList<>();

    private static Events run(Class<?> fixture) {
        SEEN.clear();
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .execute()
                .testEvents();
    }

    private static Throwable onlyFailure(Events events) {
        return events.failed().stream()
                .findFirst()
                .orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }

    @Test
    void classLevelIssuerTakesTheProfileAndServesTheWholeClass() {
        run(ClassLevelTestCase.class).assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN).hasSize(3).allSatisfy(t -> assertThat(t).isSameAs(SEEN.get(0)));
        TestTokens tokens = SEEN.get(0);
        assertThat(tokens.issuer()).isEqualTo("https://auth.example.test");
        assertThat(tokens.audience()).isEqualTo("orders-api");
        assertThat(tokens.algorithm()).isEqualTo("RS256");
        assertThat(tokens.tenantClaim()).isEqualTo("tenant_id");
        assertThat(tokens.tokenLifetime()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void theStoreClosesTheIssuerAndStopsItsServerWhenTheScopeEnds() {
        run(ClassLevelTestCase.class).assertStatistics(s -> s.succeeded(2));

        LocalIssuer issuer = (LocalIssuer) SEEN.get(0);
        assertThat(issuer.isClosed()).isTrue();
        assertThat(ClassLevelTestCase.jwks.getHost()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> Validators.get(ClassLevelTestCase.jwks)).isInstanceOf(ConnectException.class);
    }

    @Test
    void methodLevelAnnotationGivesTheMethodItsOwnIssuerOverTheClassAttributes() {
        run(MethodOverridesClassTestCase.class)
                .assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN).hasSize(2);
        TestTokens classIssuer = SEEN.stream()
                .filter(t -> t.algorithm().equals("RS256"))
                .findFirst()
                .orElseThrow();
        TestTokens methodIssuer = SEEN.stream()
                .filter(t -> t.algorithm().equals("ES256"))
                .findFirst()
                .orElseThrow();
        assertThat(classIssuer.audience()).isEqualTo("billing-api");
        assertThat(methodIssuer.audience()).as("class attribute still applies").isEqualTo("billing-api");
        assertThat(methodIssuer.tenantClaim()).isEqualTo("org_id");
        assertThat(((LocalIssuer) methodIssuer).isClosed()).isTrue();
    }

    @Test
    void worksAsAMetaAnnotation() {
        run(MetaAnnotatedTestCase.class).assertStatistics(s -> s.started(1).succeeded(1));

        assertThat(SEEN).singleElement().satisfies(t -> {
            assertThat(t.algorithm()).isEqualTo("PS256");
            assertThat(t.issuer()).isEqualTo("https://login.example.test");
        });
    }

    @Test
    void isInheritedBySubclasses() {
        run(SubclassTestCase.class).assertStatistics(s -> s.started(1).succeeded(1));

        assertThat(SEEN).singleElement().satisfies(t -> assertThat(t.audience()).isEqualTo("inherited-api"));
    }

    @Test
    void nestedClassesShareTheEnclosingClassIssuer() {
        run(OuterTestCase.class).assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
    }

    @Test
    void aFrozenClockReturnsToSystemTimeAfterEachTestButRotatedKeysStay() {
        run(ClockResetTestCase.class).assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
    }

    @Test
    void aDataSourceParameterWithoutProductionLikeDatabaseSaysWhatIsMissing() {
        Events events = run(DataSourceWithoutDatabaseTestCase.class);

        events.assertStatistics(s -> s.started(1).failed(1));
        assertThat(onlyFailure(events))
                .isInstanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class)
                .hasMessage("Cannot resolve the DataSource parameter (#1) of DataSourceWithoutDatabaseTestCase"
                        + ".needsADatabase(DataSource): DataSourceWithoutDatabaseTestCase has no"
                        + " @ProductionLikeDatabase (on the class or an enclosing class), which provides DataSource,"
                        + " Connection and TenantDatabase; the prodlike annotations it has provide Redis or JWT"
                        + " parameters only.\nFix: annotate the test class with @ProductionLikeDatabase"
                        + " (import dev.prodlike.postgres.ProductionLikeDatabase).");
    }

    @Test
    void malformedAttributeIsAConfigurationErrorNamingTheAnnotation() {
        Events events = run(MalformedAlgorithmTestCase.class);

        events.assertStatistics(s -> s.started(1).failed(1));
        Throwable thrown = onlyFailure(events);
        assertThat(thrown)
                .isInstanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class)
                .hasCauseInstanceOf(ExtensionConfigurationException.class);
        assertThat(thrown.getCause())
                .hasMessage("Malformed value in @JwtIssuer on MalformedAlgorithmTestCase: "
                        + "jwt.algorithm=HS256\n  jwt.algorithm must be one of RS256, ES256, PS256.");
    }

    @Test
    void missingIssuerSaysWhichLineToAdd() {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(new ClassLoader(original) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals("prodlike.properties") ? Collections.emptyEnumeration() : super.getResources(name);
            }
        });
        Events events;
        try {
            events = run(PlainTestCase.class);
        } finally {
            thread.setContextClassLoader(original);
        }

        events.assertStatistics(s -> s.started(1).failed(1));
        Throwable cause = onlyFailure(events).getCause();
        assertThat(cause)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage(
                        "The production profile does not declare jwt.issuer (looked in no prodlike.properties on the test "
                                + "classpath, annotation attributes and -Dprodlike.jwt.issuer).\n"
                                + "Add the line\n  jwt.issuer=https://auth.example.test\n"
                                + "to src/test/resources/prodlike.properties with the value production uses.");
    }

    @JwtIssuer
    static class DataSourceWithoutDatabaseTestCase {
        @Test
        void needsADatabase(javax.sql.DataSource app) {}
    }

    @JwtIssuer
    static class ClassLevelTestCase {
        static volatile URI jwks;

        @BeforeAll
        static void beforeAll(TestTokens tokens) {
            SEEN.add(tokens);
        }

        @Test
        void first(TestTokens tokens) {
            SEEN.add(tokens);
            jwks = tokens.jwksUri();
        }

        @Test
        void second(TestTokens tokens) {
            SEEN.add(tokens);
        }
    }

    @JwtIssuer(audience = "billing-api")
    static class MethodOverridesClassTestCase {
        @Test
        void classIssuer(TestTokens tokens) {
            SEEN.add(tokens);
        }

        @Test
        @JwtIssuer(algorithm = "ES256", tenantClaim = "org_id")
        void ownIssuer(TestTokens tokens) {
            SEEN.add(tokens);
            tokens.jwksUri();
        }
    }

    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @JwtIssuer(algorithm = "PS256", issuer = "https://login.example.test")
    @interface LoginIssuer {}

    @LoginIssuer
    static class MetaAnnotatedTestCase {
        @Test
        void injected(TestTokens tokens) {
            SEEN.add(tokens);
        }
    }

    @JwtIssuer(audience = "inherited-api")
    abstract static class BaseTestCase {}

    static class SubclassTestCase extends BaseTestCase {
        @Test
        void injected(TestTokens tokens) {
            SEEN.add(tokens);
        }
    }

    @JwtIssuer
    static class OuterTestCase {
        @Test
        void outer(TestTokens tokens) {
            SEEN.add(tokens);
        }

        @Nested
        class Inner {
            @Test
            void inner(TestTokens tokens) {
                SEEN.add(tokens);
            }
        }
    }

    @JwtIssuer
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ClockResetTestCase {
        static volatile String rotatedKid;

        @Test
        @Order(1)
        void freezesAndRotates(TestTokens tokens) {
            SEEN.add(tokens);
            tokens.clock().freezeAt(Instant.parse("2030-01-01T00:00:00Z"));
            rotatedKid = tokens.rotateKeys();
        }

        @Test
        @Order(2)
        void seesSystemTimeAndTheRotatedKey(TestTokens tokens) {
            SEEN.add(tokens);
            assertThat(tokens.clock().isFrozen()).isFalse();
            assertThat(tokens.currentKeyId()).isEqualTo(rotatedKid);
            assertThat(tokens.publicKeys()).hasSize(2);
        }
    }

    @JwtIssuer
    static class PlainTestCase {
        @Test
        void injected(TestTokens tokens) {
            SEEN.add(tokens);
        }
    }

    @JwtIssuer(algorithm = "HS256")
    static class MalformedAlgorithmTestCase {
        @Test
        void injected(TestTokens tokens) {
            SEEN.add(tokens);
        }
    }
}
