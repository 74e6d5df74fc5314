package dev.prodlike.testing;

import dev.prodlike.ProductionProfile;
import dev.prodlike.postgres.internal.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An embedded PostgreSQL server of one test class's own (the session profile's version and settings), for tests
 * that change server-wide state — {@code pg_hba.conf}, roles, the list of databases — which other classes, running
 * concurrently on the session's shared server, would see or disturb. Injected as a parameter of this type once the
 * class is extended with {@link Extension}; stopped when the class ends.
 */
public final class OwnPostgres implements AutoCloseable {

    private final EmbeddedPostgres server;

    private OwnPostgres(EmbeddedPostgres server) {
        this.server = server;
    }

    /** @return the URL of the server's {@code postgres} database */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.adminDatabase();
    }

    /** @return connections as the server's owner (superuser) */
    public DataSource ownerDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl());
        ds.setUser(server.ownerUser());
        if (server.ownerPassword() != null) {
            ds.setPassword(server.ownerPassword());
        }
        return ds;
    }

    /** @return {@code SHOW server_version}, e.g. {@code 16.4} */
    public String serverVersion() throws SQLException {
        try (Connection c = ownerDataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1).split(" ")[0];
        }
    }

    @Override
    public void close() {
        server.close();
    }

    /** Starts the class's server on first use and closes it with the class's Store. */
    public static final class Extension implements ParameterResolver {
        private static final ExtensionContext.Namespace NAMESPACE =
                ExtensionContext.Namespace.create(OwnPostgres.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == OwnPostgres.class;
        }

        @Override
        @SuppressWarnings("deprecation") // getOrComputeIfAbsent: computeIfAbsent exists only from JUnit 5.13 on
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            ExtensionContext classContext =
                    context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
            return classContext
                    .getStore(NAMESPACE)
                    .getOrComputeIfAbsent(
                            Closing.class,
                            k -> new Closing(new OwnPostgres(EmbeddedPostgres.start(ProductionProfile.load(), null))),
                            Closing.class)
                    .server;
        }
    }

    /** What the Store closes at the end of the class. */
    @SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
    private record Closing(OwnPostgres server) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }
}
