package dev.prodlike.redis;

import dev.prodlike.ProductionProfile;
import dev.prodlike.Provider;
import dev.prodlike.internal.Annotations;
import dev.prodlike.internal.CurrentTest;
import dev.prodlike.internal.SupportedLibrary;
import dev.prodlike.redis.internal.LeaseSource;
import dev.prodlike.redis.internal.RedisEnvironments;
import dev.prodlike.redis.internal.RedisLease;
import dev.prodlike.redis.internal.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link RedisSession}: provisions the server before the class and resolves
 * {@link RedisEnvironment} and Lettuce parameters, each test with a database of its own.
 */
final class RedisSessionExtension
        implements BeforeAllCallback, BeforeEachCallback, TestInstancePreConstructCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RedisSessionExtension.class);
    private static final String SESSION_PREFIX = "session:";
    private static final Set<Class<?>> TYPES = Set.of(
            RedisEnvironment.class,
            RedisClient.class,
            StatefulRedisConnection.class,
            RedisCommands.class,
            RedisAsyncCommands.class,
            RedisClusterClient.class,
            StatefulRedisClusterConnection.class,
            RedisAdvancedClusterCommands.class,
            RedisAdvancedClusterAsyncCommands.class);
    private static final Set<Class<?>> STRING_TYPED = Set.of(
            StatefulRedisConnection.class,
            RedisCommands.class,
            RedisAsyncCommands.class,
            StatefulRedisClusterConnection.class,
            RedisAdvancedClusterCommands.class,
            RedisAdvancedClusterAsyncCommands.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        SupportedLibrary.JUNIT.checkOnce(Test.class);
        SupportedLibrary.LETTUCE.checkOnce(RedisClient.class);
        server(context);
        prepareResolution(context.getRequiredTestClass());
    }

    /**
     * Runs, once per class, the reflection that resolving a parameter needs (a parameter's generic type, a method's
     * annotations): in a fresh JVM its first call loads and runs cold code for milliseconds, which the first tests would
     * otherwise spend waiting for their keyspace. Nothing is checked here; every test still checks its own parameters.
     */
    private static void prepareResolution(Class<?> testClass) {
        try {
            for (Method method : testClass.getDeclaredMethods()) {
                for (Parameter parameter : method.getParameters()) {
                    if (TYPES.contains(parameter.getType())) {
                        parameter.getParameterizedType();
                        AnnotationSupport.isAnnotated(method, RedisSession.class);
                    }
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // a broken signature: the test that has it reports it when its parameters are resolved
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

    /** Offers the test's session (lazily) to integrations that follow the current test, such as Spring's. */
    private void offer(ExtensionContext context) {
        CurrentTest.enter(context).ifPresent(test -> test.provide(CurrentTest.REDIS, () -> session(context)));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return TYPES.contains(parameterContext.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        Class<?> type = parameterContext.getParameter().getType();
        if (STRING_TYPED.contains(type)) {
            Type generic = parameterContext.getParameter().getParameterizedType();
            if (generic instanceof ParameterizedType p
                    && !(p.getActualTypeArguments()[0] == String.class
                            && p.getActualTypeArguments()[1] == String.class)) {
                throw new ParameterResolutionException("Can only resolve @RedisSession parameter of type "
                        + type.getSimpleName() + "<String, String> but was: "
                        + p.getTypeName()
                                .replace(type.getPackageName() + ".", "")
                                .replace("java.lang.", "")
                        + " (parameter [" + parameterContext.getParameter() + "] in "
                        + parameterContext.getDeclaringExecutable() + ")");
            }
        }
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("Cannot resolve parameter [" + parameterContext.getParameter()
                    + "] in " + parameterContext.getDeclaringExecutable() + ": with @RedisSession every test gets a"
                    + " keyspace of its own, so class-level methods (@BeforeAll, constructors) have none.\n"
                    + "Use a @BeforeEach method or a test method parameter.");
        }
        RedisLease session = session(context);
        try {
            return session.parameter(type);
        } catch (IllegalArgumentException e) {
            throw new ParameterResolutionException(
                    "Cannot resolve parameter [" + parameterContext.getParameter() + "] in "
                            + parameterContext.getDeclaringExecutable() + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(
                    "Could not connect parameter [" + parameterContext.getParameter()
                            + "] in " + parameterContext.getDeclaringExecutable() + " to " + session + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private RedisLease session(ExtensionContext context) {
        LeaseSource server = server(context);
        // String.concat, not +: the first + of a call site links it at run time (about a millisecond in a fresh JVM)
        String name = context.getRequiredTestClass()
                .getSimpleName()
                .concat(".")
                .concat(context.getRequiredTestMethod().getName());
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        SESSION_PREFIX.concat(context.getUniqueId()), k -> server.lease(name), RedisLease.class);
    }

    private LeaseSource server(ExtensionContext context) {
        // Which server a test method uses depends only on the method and its classes: found once, then kept in the
        // Store of the method's parent (its class, or the container of a repeated or parameterized test), so that a
        // lease does not search annotations and compare them on every test.
        if (context.getTestMethod().isPresent() && context.getParent().isPresent()) {
            return context.getParent()
                    .get()
                    .getStore(NAMESPACE)
                    .getOrComputeIfAbsent(
                            List.of(MethodServer.class, context.getRequiredTestMethod()),
                            k -> new ServerRef(findServer(context)),
                            ServerRef.class)
                    .server();
        }
        return findServer(context);
    }

    /** Key of a test method's server in its parent's Store. */
    private static final class MethodServer {
        private MethodServer() {}
    }

    private LeaseSource findServer(ExtensionContext context) {
        RedisSession annotation = annotation(context);
        ExtensionContext owner = context;
        if (context.getTestMethod().isPresent() && !annotatedOnMethod(context)) {
            owner = context.getParent().orElse(context);
        }
        ExtensionContext store = owner;
        // A plain holder: the server belongs to the launcher-session Store, which stops it at the end of the run; the
        // class Store must not close it when the class ends.
        // Keyed by the effective annotation (a Store lookup also searches parent stores): a method or nested class
        // that declares other settings than its class gets the server for those settings.
        return store.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        List.of(ServerRef.class, annotation),
                        k -> {
                            RedisSettings settings = RedisSettings.from(profile(store, annotation));
                            return new ServerRef(
                                    RedisEnvironments.of(store, settings).source(settings));
                        },
                        ServerRef.class)
                .server();
    }

    private record ServerRef(LeaseSource server) {}

    private static boolean annotatedOnMethod(ExtensionContext context) {
        return context.getTestMethod()
                .map(m -> AnnotationSupport.isAnnotated(m, RedisSession.class))
                .orElse(false);
    }

    private static ProductionProfile profile(ExtensionContext context, RedisSession annotation) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put(RedisKeys.VERSION, annotation.version());
        for (String setting : annotation.settings()) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new ExtensionConfigurationException("@RedisSession(settings = \"" + setting + "\") on "
                        + where(context) + " is not name=value; write e.g. \"maxmemory-policy=allkeys-lru\".");
            }
            overrides.put(
                    RedisKeys.SETTINGS_PREFIX + setting.substring(0, eq).trim(),
                    setting.substring(eq + 1).trim());
        }
        if (annotation.provider() != Provider.FROM_PROFILE) {
            overrides.put(ProductionProfile.PROVIDER, annotation.provider().profileName());
        }
        if (annotation.topology() != RedisTopology.FROM_PROFILE) {
            overrides.put(RedisKeys.TOPOLOGY, annotation.topology().profileName());
        }
        return ProductionProfile.load().withOverrides(overrides, "@RedisSession on " + where(context));
    }

    private static String where(ExtensionContext context) {
        return context.getTestMethod()
                .filter(m -> AnnotationSupport.isAnnotated(m, RedisSession.class))
                .map(m -> m.getDeclaringClass().getName() + "." + m.getName())
                .orElse(context.getRequiredTestClass().getName());
    }

    static RedisSession annotation(ExtensionContext context) {
        return Annotations.nearest(context, RedisSession.class)
                .orElseThrow(() ->
                        new ExtensionConfigurationException("No @RedisSession on " + context.getRequiredTestClass()
                                + " or its enclosing classes; register the extension through the annotation."));
    }
}
