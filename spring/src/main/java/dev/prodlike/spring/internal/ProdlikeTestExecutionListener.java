package dev.prodlike.spring.internal;

import dev.prodlike.internal.CurrentTest;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.spring.ProdlikeSpring;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Registered through {@code META-INF/spring.factories}: tells a prodlike-customized context which test starts and
 * ends, so that the application's connections of a test are closed before its database is dropped; hands the
 * context's issuer to {@code @JwtIssuer}; refuses a {@code spring.datasource.username} that would bypass RLS.
 */
public final class ProdlikeTestExecutionListener implements TestExecutionListener, Ordered {

    private static final String CHECKED = ProdlikeTestExecutionListener.class.getName() + ".usernameChecked";

    @Override
    public int getOrder() {
        return ProdlikeSpring.LISTENER_ORDER;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) throws SQLException {
        ApplicationContext context = testContext.getApplicationContext();
        if (!context.containsBean(TestRouting.BEAN_NAME)) {
            return;
        }
        CurrentTest test = CurrentTest.onThisThread()
                .orElseThrow(() -> new IllegalStateException("prodlike cannot tell which test "
                        + testContext.getTestClass().getName() + "."
                        + testContext.getTestMethod().getName() + " is: its JUnit extension did not run on this"
                        + " thread. prodlike's Spring integration needs JUnit Jupiter (5.12 or later) with"
                        + " @ProductionLikeDatabase, @RedisSession or @JwtIssuer on the test class."));
        context.getBean(TestRouting.BEAN_NAME, TestRouting.class).begin(test);
        if (context instanceof ConfigurableApplicationContext configurable
                && configurable.getBeanFactory().containsSingleton(JwtWiring.BEAN_NAME)) {
            test.put(CurrentTest.JWT_TOKENS, JwtWiring.tokens(configurable));
        }
        if (test.provides(CurrentTest.POSTGRES) && context.getBeanNamesForType(DataSource.class).length > 0) {
            checkUsername(context, test);
        }
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        ApplicationContext context = testContext.getApplicationContext();
        if (context.containsBean(TestRouting.BEAN_NAME)) {
            CurrentTest.onThisThread()
                    .ifPresent(test -> context.getBean(TestRouting.BEAN_NAME, TestRouting.class)
                            .end(test));
            if (context instanceof ConfigurableApplicationContext configurable
                    && configurable.getBeanFactory().containsSingleton(JwtWiring.BEAN_NAME)) {
                JwtWiring.resetClock(configurable); // as @JwtIssuer does for a class's own issuer
            }
        }
    }

    /** Once per context: a configured {@code spring.datasource.username} must not be a role RLS does not apply to. */
    private static void checkUsername(ApplicationContext context, CurrentTest test) throws SQLException {
        Environment environment = context.getEnvironment();
        String username = environment.getProperty("spring.datasource.username");
        if (username == null || username.isBlank()) {
            return;
        }
        ConfigurableApplicationContext configurable = (ConfigurableApplicationContext) context;
        synchronized (context) {
            if (configurable.getBeanFactory().containsSingleton(CHECKED)) {
                return;
            }
            TenantDatabase db =
                    test.resource(CurrentTest.POSTGRES, TenantDatabase.class).orElseThrow();
            Optional<String> why = bypasses(db, username);
            if (why.isPresent()) {
                throw new IllegalStateException("spring.datasource.username=" + username + " is " + why.get()
                        + " on the test server, so row-level security would never apply to the application: tests"
                        + " would pass that production (connecting as " + db.appRole() + ") fails, or the"
                        + " other way round.\nprodlike connects the application as the app role '" + db.appRole()
                        + "' (postgres.app-role). Connect as that role in production too:\n    spring.datasource"
                        + ".username=" + db.appRole() + "\nor drop spring.datasource.username from the configuration"
                        + " the tests load.");
            }
            configurable.getBeanFactory().registerSingleton(CHECKED, Boolean.TRUE);
        }
    }

    private static Optional<String> bypasses(TenantDatabase db, String username) throws SQLException {
        try (Connection c = db.ownerDataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT rolsuper, rolbypassrls FROM pg_roles" + " WHERE rolname = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (rs.getBoolean(1)) {
                    return Optional.of("a superuser");
                }
                return rs.getBoolean(2) ? Optional.of("a role with BYPASSRLS") : Optional.empty();
            }
        }
    }
}
