package dev.prodlike.postgres;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.Annotations;
import dev.prodlike.internal.CurrentTest;
import dev.prodlike.internal.SupportedLibrary;
import dev.prodlike.postgres.internal.PgSettings;
import dev.prodlike.postgres.internal.PostgresEnvironment;
import dev.prodlike.postgres.internal.TestDatabase;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link ProductionLikeDatabase}: provisions the server and template before the class and
 * resolves {@link DataSource}, {@link Connection} and {@link TenantDatabase} parameters. Before each test instance is
 * made and before each test it offers the test's database to {@link CurrentTest} (lazily), for integrations such as
 * the Spring module.
 */
final class ProductionLikeDatabaseExtension
        implements BeforeAllCallback, BeforeEachCallback, TestInstancePreConstructCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ProductionLikeDatabaseExtension.class);
    private static final String DATABASE = "database";

    @Override
    public void beforeAll(ExtensionContext context) {
        SupportedLibrary.JUNIT.checkOnce(Test.class);
        dev.prodlike.internal.WarmUp.start();
        requireSpringIntegration(context);
        prepared(context);
    }

    private static final String SPRING_EXTENSION = "org.springframework.test.context.junit.jupiter.SpringExtension";
    private static final String PRODLIKE_SPRING = "dev.prodlike.spring.internal.ProdlikeContextCustomizerFactory";

    /**
     * A Spring test without prodlike-spring would pass while the application's DataSource talks to whatever
     * spring.datasource.url names: fail instead, naming the dependency.
     */
    static void requireSpringIntegration(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        boolean spring = false;
        for (Class<?> c = testClass; c != null && !spring; c = c.getEnclosingClass()) {
            spring = AnnotationSupport.findRepeatableAnnotations(c, ExtendWith.class).stream()
                    .flatMap(e -> Arrays.stream(e.value()))
                    .anyMatch(e -> e.getName().equals(SPRING_EXTENSION));
        }
        if (!spring) {
            return;
        }
        try {
            Class.forName(PRODLIKE_SPRING, false, ProductionLikeDatabaseExtension.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ExtensionConfigurationException("@ProductionLikeDatabase on " + testClass.getName() + ", a"
                    + " Spring test (SpringExtension), needs prodlike-spring on the test classpath: without it the"
                    + " application's DataSource keeps spring.datasource.url and never sees the test's database.\n"
                    + "Add the test dependency:\n    <dependency>\n      <groupId>dev.prodlike</groupId>\n"
                    + "      <artifactId>prodlike-spring</artifactId>\n      <scope>test</scope>\n    </dependency>");
        }
    }

    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        offer(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        offer(context);
    }

    private void offer(ExtensionContext context) {
        CurrentTest.enter(context).ifPresent(test -> {
            test.provide(CurrentTest.POSTGRES, () -> database(null, context));
            tenant(context).ifPresent(t -> test.provide(CurrentTest.TENANT, t::value));
        });
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        // Subtypes are claimed too, so that asking for e.g. a HikariDataSource gets a clear message.
        return DataSource.class.isAssignableFrom(type)
                || Connection.class.isAssignableFrom(type)
                || TenantDatabase.class.isAssignableFrom(type);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type != DataSource.class && type != Connection.class && type != TenantDatabase.class) {
            throw new ParameterResolutionException("Can only resolve @ProductionLikeDatabase parameter of type "
                    + DataSource.class.getName() + ", " + Connection.class.getName() + " or "
                    + TenantDatabase.class.getName() + " but was: " + type.getName());
        }
        TestDatabase db = database(parameterContext, context);
        if (type == TenantDatabase.class) {
            return db;
        }
        Optional<TenantContext> tenant = tenant(context);
        DataSource ds = tenant.isPresent() ? asTenant(db, tenant.get(), parameterContext) : db.appDataSource();
        if (type == DataSource.class) {
            return ds;
        }
        try {
            Connection connection = ds.getConnection();
            context.getStore(NAMESPACE).put(new Object(), new ConnectionCloser(connection));
            return connection;
        } catch (SQLException e) {
            throw new ParameterResolutionException(
                    "Could not open a Connection for parameter ["
                            + parameterContext.getParameter() + "] in " + describe(parameterContext) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static String describe(ParameterContext parameter) {
        Executable e = parameter.getDeclaringExecutable();
        return (e instanceof Constructor ? "constructor [" : "method [") + e + "]";
    }

    private static DataSource asTenant(TestDatabase db, TenantContext tenant, ParameterContext parameter) {
        try {
            return db.asTenant(tenant.value());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ParameterResolutionException(
                    "@TenantContext(\"" + tenant.value() + "\") cannot scope parameter ["
                            + parameter.getParameter() + "] in " + describe(parameter) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private TestDatabase database(ParameterContext parameter, ExtensionContext context) {
        PostgresEnvironment.Prepared prepared = prepared(context);
        Isolation isolation = annotation(context).isolation();
        ExtensionContext owner;
        if (isolation == Isolation.PER_METHOD) {
            if (context.getTestMethod().isEmpty()) {
                throw new ParameterResolutionException("Cannot resolve parameter [" + parameter.getParameter()
                        + "] in " + describe(parameter) + ": with Isolation.PER_METHOD every test gets"
                        + " its own database, so class-level methods (@BeforeAll, constructors) have none.\nUse"
                        + " @BeforeEach, or @ProductionLikeDatabase(isolation = Isolation.PER_CLASS) to share one"
                        + " database across the class.");
            }
            owner = context;
        } else {
            owner = context;
            while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
                owner = owner.getParent().get();
            }
        }
        // Keyed by the owning context: a Store lookup also searches parent stores, and a nested class or a method
        // must never be handed its parent's database.
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        DATABASE + ":" + owner.getUniqueId(),
                        k -> TestDatabase.open(prepared, isolation == Isolation.PER_METHOD),
                        TestDatabase.class);
    }

    private PostgresEnvironment.Prepared prepared(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()
                && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        ExtensionContext owner = classContext;
        // Keyed by the effective annotation: a @Nested class that declares other attributes than its outer class
        // gets its own server or template, one that declares none shares its outer class's.
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        List.of("prepared", annotation(owner)),
                        k -> {
                            PgSettings settings = PgSettings.from(profile(owner), parallelism(owner));
                            return PostgresEnvironment.of(owner, settings).prepare(settings);
                        },
                        PostgresEnvironment.Prepared.class);
    }

    /** How many tests JUnit runs at once, from its own configuration parameters. */
    static int parallelism(ExtensionContext context) {
        if (!context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled")
                .map(Boolean::parseBoolean)
                .orElse(false)) {
            return 1;
        }
        String strategy = context.getConfigurationParameter("junit.jupiter.execution.parallel.config.strategy")
                .orElse("dynamic");
        try {
            if (strategy.equals("fixed")) {
                return context.getConfigurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism")
                        .map(Integer::parseInt)
                        .orElse(1);
            }
            double factor = context.getConfigurationParameter("junit.jupiter.execution.parallel.config.dynamic.factor")
                    .map(Double::parseDouble)
                    .orElse(1.0);
            return Math.max(1, (int) Math.round(factor * Runtime.getRuntime().availableProcessors()));
        } catch (NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static ProductionProfile profile(ExtensionContext context) {
        ProductionLikeDatabase annotation = annotation(context);
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put(ProductionProfile.POSTGRES_VERSION, annotation.version());
        overrides.put(ProductionProfile.POSTGRES_MIGRATIONS, annotation.migrations());
        overrides.put(ProductionProfile.POSTGRES_APP_ROLE, annotation.appRole());
        if (annotation.provider() != Provider.FROM_PROFILE) {
            overrides.put(ProductionProfile.PROVIDER, annotation.provider().profileName());
        }
        String origin =
                "@ProductionLikeDatabase on " + context.getRequiredTestClass().getName();
        return ProductionProfile.load().withOverrides(overrides, origin);
    }

    static ProductionLikeDatabase annotation(ExtensionContext context) {
        return Annotations.onClass(context.getRequiredTestClass(), ProductionLikeDatabase.class)
                .orElseThrow(() -> new ExtensionConfigurationException(
                        "No @ProductionLikeDatabase on " + context.getRequiredTestClass()
                                + " or its enclosing classes; register the extension through the annotation."));
    }

    private static Optional<TenantContext> tenant(ExtensionContext context) {
        return Annotations.nearest(context, TenantContext.class);
    }

    /** Closes an injected Connection when its test ends. */
    @SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
    private static final class ConnectionCloser implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        private final Connection connection;

        ConnectionCloser(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() throws SQLException {
            if (!connection.isClosed()) {
                connection.close();
            }
        }
    }
}
