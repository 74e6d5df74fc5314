package dev.prodlike.spring;

/**
 * What prodlike wires into a Spring test's application context, and the names it uses.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureMockMvc
 * @ProductionLikeDatabase
 * @RedisSession
 * @JwtIssuer
 * class OrdersApiTests {
 *     @Autowired MockMvc mvc;
 *     @Autowired OrderRepository orders;       // the application's own repository, as the app role
 *
 *     @Test
 *     void listsOwnOrders(TenantDatabase db, TestTokens tokens) throws Exception { ... }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Every {@code DataSource} bean is replaced by one that connects as the app role to the current test's
 *       database (a fresh migrated clone per test); connections are pooled per test and closed when the test ends,
 *       before its database is dropped. The context is not rebuilt: one context serves many test classes.</li>
 *   <li>The application's Flyway and Liquibase do not run ({@value #FLYWAY_ENABLED}{@code =false},
 *       {@value #LIQUIBASE_ENABLED}{@code =false}): prodlike applied the same migrations or changelog as the owner into
 *       the template every test database is cloned from.</li>
 *   <li>With {@code @TenantContext("acme")} every connection the application takes carries the tenant setting.</li>
 *   <li>With {@code @RedisSession}, every {@code RedisConnectionFactory} bean talks to the current test's logical
 *       database.</li>
 *   <li>With {@code @JwtIssuer}, the context gets one local issuer: {@value #JWK_SET_URI} points at its key set and
 *       {@value #ISSUER_URI} at its {@code iss}; the same issuer is injected as {@code TestTokens} (parameter or
 *       {@code @Autowired}).</li>
 * </ul>
 *
 * <p>Connections taken on a thread that is not the test's (a real HTTP port, {@code @Async}) go to the database of
 * the only test running against the context; when several run at once (JUnit parallel execution) such a connection
 * fails with a message naming the tests: mark those classes {@code @Isolated}, or use MockMvc.
 *
 * @since 0.1.0
 */
public final class ProdlikeSpring {

    /** The order of prodlike's {@code TestExecutionListener}: before transactions ({@code 4000}) and {@code @Sql}. */
    public static final int LISTENER_ORDER = 3900;

    /** The property prodlike sets to {@code false} so that the application's Flyway does not migrate again. */
    public static final String FLYWAY_ENABLED = "spring.flyway.enabled";

    /**
     * The property prodlike sets to {@code false} so that the application's Liquibase does not update again.
     *
     * @since 0.1.0
     */
    public static final String LIQUIBASE_ENABLED = "spring.liquibase.enabled";

    /** The property prodlike points at the local issuer's key set. */
    public static final String JWK_SET_URI = "spring.security.oauth2.resourceserver.jwt.jwk-set-uri";

    /** The property prodlike sets to the local issuer's {@code iss}. */
    public static final String ISSUER_URI = "spring.security.oauth2.resourceserver.jwt.issuer-uri";

    private ProdlikeSpring() {}
}
