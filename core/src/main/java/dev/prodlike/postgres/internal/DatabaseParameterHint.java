package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Annotations;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import java.sql.Connection;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Registered by the other prodlike annotations ({@code @RedisSession}, {@code @JwtIssuer}): a {@code DataSource},
 * {@code Connection} or {@code TenantDatabase} parameter in a class without {@code @ProductionLikeDatabase} fails
 * with what is missing and the fix, instead of JUnit's generic "No ParameterResolver registered". It claims only
 * unannotated parameters (an {@code @Autowired DataSource} stays Spring's) and only where no
 * {@code @ProductionLikeDatabase} or {@code @TenantContext} applies, so it never competes with the real resolver.
 *
 * <p>A class with no prodlike annotation at all registers no prodlike extension, so there JUnit's own message is
 * what the user sees. Public only for {@code @ExtendWith} in the other modules; not API.
 */
@API(status = API.Status.INTERNAL, since = "0.1.0")
public final class DatabaseParameterHint implements ParameterResolver {

    private static final Set<Class<?>> DATABASE_TYPES =
            Set.of(DataSource.class, Connection.class, TenantDatabase.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return DATABASE_TYPES.contains(parameter.getParameter().getType())
                && parameter.getParameter().getAnnotations().length == 0
                && Annotations.onClass(context.getTestClass().orElse(null), ProductionLikeDatabase.class)
                        .isEmpty()
                && Annotations.nearest(context, TenantContext.class).isEmpty();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        String executable =
                parameter.getDeclaringExecutable().getDeclaringClass().getSimpleName() + "."
                        + parameter.getDeclaringExecutable().getName() + "("
                        + Arrays.stream(parameter.getDeclaringExecutable().getParameterTypes())
                                .map(Class::getSimpleName)
                                .collect(Collectors.joining(", "))
                        + ")";
        throw new ParameterResolutionException("Cannot resolve the " + type.getSimpleName() + " parameter (#"
                + (parameter.getIndex() + 1) + ") of " + executable + ": "
                + context.getRequiredTestClass().getSimpleName() + " has no @ProductionLikeDatabase (on the class or"
                + " an enclosing class), which provides DataSource, Connection and TenantDatabase; the prodlike"
                + " annotations it has provide Redis or JWT parameters only.\n"
                + "Fix: annotate the test class with @ProductionLikeDatabase"
                + " (import dev.prodlike.postgres.ProductionLikeDatabase).");
    }
}
