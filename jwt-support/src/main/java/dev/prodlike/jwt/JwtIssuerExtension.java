package dev.prodlike.jwt;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.Annotations;
import dev.prodlike.internal.CurrentTest;
import dev.prodlike.internal.SupportedLibrary;
import dev.prodlike.jwt.internal.IssuerSettings;
import dev.prodlike.jwt.internal.LocalIssuer;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link TestTokens} parameters for {@link JwtIssuer}. The issuer lives in the Store of the class or method
 * context that declares the annotation, which closes it (and its JWKS server) when that scope ends. After each test,
 * a class-level issuer's clock returns to system time and its endpoint faults end, so neither leaks into the next test.
 */
final class JwtIssuerExtension
        implements ParameterResolver, AfterEachCallback, BeforeEachCallback, TestInstancePreConstructCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(JwtIssuerExtension.class);

    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    /** Binds the test to its thread, so that an integration (Spring's) can hand over the issuer it trusts. */
    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        CurrentTest.enter(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SupportedLibrary.JUNIT.checkOnce(Test.class);
        CurrentTest.enter(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestTokens.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        // An integration (Spring's application context) that trusts one issuer for many test classes hands it over.
        Optional<TestTokens> shared = CurrentTest.onThisThread()
                .filter(t -> context.getTestMethod().isPresent())
                .flatMap(t -> t.resource(CurrentTest.JWT_TOKENS, TestTokens.class));
        if (shared.isPresent()) {
            return shared.get();
        }
        Optional<Method> method = context.getTestMethod();
        Optional<JwtIssuer> onMethod = method.flatMap(m -> AnnotationSupport.findAnnotation(m, JwtIssuer.class));
        Optional<Class<?>> declaringClass = context.getTestClass().flatMap(JwtIssuerExtension::annotatedClass);
        if (onMethod.isPresent()) {
            Method m = method.get();
            Optional<JwtIssuer> onClass =
                    declaringClass.flatMap(c -> AnnotationSupport.findAnnotation(c, JwtIssuer.class));
            String origin = "@JwtIssuer on " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
            return issuerIn(context, m, () -> create(onClass.orElse(null), onMethod.get(), origin));
        }
        if (declaringClass.isEmpty()) {
            throw new ParameterResolutionException("Can only resolve a TestTokens parameter where @JwtIssuer applies, "
                    + "but " + describe(parameterContext)
                    + " is outside it: @JwtIssuer is declared on test methods only. "
                    + "Declare @JwtIssuer on the test class to inject TestTokens into constructors, @BeforeAll or "
                    + "@AfterAll methods.");
        }
        Class<?> annotated = declaringClass.get();
        ExtensionContext classContext = classContext(context, annotated);
        JwtIssuer onClass =
                AnnotationSupport.findAnnotation(annotated, JwtIssuer.class).orElseThrow();
        return issuerIn(
                classContext, annotated, () -> create(null, onClass, "@JwtIssuer on " + annotated.getSimpleName()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getTestClass().flatMap(JwtIssuerExtension::annotatedClass).ifPresent(annotated -> {
            LocalIssuer issuer =
                    classContext(context, annotated).getStore(NAMESPACE).get(annotated, LocalIssuer.class);
            if (issuer != null) {
                issuer.clock().useSystemTime();
                issuer.endFaults();
            }
        });
    }

    private static LocalIssuer issuerIn(ExtensionContext context, AnnotatedElement key, Supplier<LocalIssuer> factory) {
        @SuppressWarnings("deprecation") // computeIfAbsent exists only from 5.13 on; this works on every 5.x and 6.x
        LocalIssuer issuer =
                context.getStore(NAMESPACE).getOrComputeIfAbsent(key, k -> factory.get(), LocalIssuer.class);
        return issuer;
    }

    private static LocalIssuer create(JwtIssuer outer, JwtIssuer inner, String origin) {
        ProductionProfile profile = ProductionProfile.load();
        if (outer != null) {
            profile = profile.withOverrides(overrides(outer), origin.replaceFirst("\\.[^.]*\\(\\)$", ""));
        }
        profile = profile.withOverrides(overrides(inner), origin);
        return new LocalIssuer(IssuerSettings.from(profile));
    }

    private static Map<String, String> overrides(JwtIssuer a) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(JwtKeys.ISSUER, a.issuer());
        m.put(JwtKeys.AUDIENCE, a.audience());
        m.put(JwtKeys.ALGORITHM, a.algorithm());
        m.put(JwtKeys.TENANT_CLAIM, a.tenantClaim());
        m.put(JwtKeys.TOKEN_LIFETIME, a.tokenLifetime());
        return m;
    }

    /** The class, or the nearest enclosing class of a {@code @Nested} class, that carries {@code @JwtIssuer}. */
    private static Optional<Class<?>> annotatedClass(Class<?> testClass) {
        return Annotations.annotatedClass(testClass, JwtIssuer.class);
    }

    private static ExtensionContext classContext(ExtensionContext context, Class<?> annotated) {
        ExtensionContext candidate = context;
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            if (c.getTestMethod().isEmpty()
                    && c.getTestClass().filter(annotated::equals).isPresent()) {
                candidate = c;
            }
        }
        return candidate;
    }

    private static String describe(ParameterContext p) {
        return "parameter [" + p.getParameter() + "] in " + p.getDeclaringExecutable();
    }
}
