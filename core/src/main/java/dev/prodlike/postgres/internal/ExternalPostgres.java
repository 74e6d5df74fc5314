package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.ProvidedServer;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * An existing server named by {@code postgres.url}. prodlike never changes it beyond creating and dropping its own
 * {@code prodlike_*} databases (and the app role, only if missing, dropped again at the end).
 */
public final class ExternalPostgres extends ProvidedServer implements PgServer {

    private final String host;
    private final int port;
    private final String adminDatabase;
    private final String user;
    private final String password;
    private final String url;

    private ExternalPostgres(
            String host, int port, String adminDatabase, String user, String password, String url, long startMillis) {
        super("external", false, Map.of(), startMillis);
        this.host = host;
        this.port = port;
        this.adminDatabase = adminDatabase;
        this.user = user;
        this.password = password;
        this.url = url;
    }

    /**
     * Connects to the server the profile names and checks the owner can create databases.
     *
     * @param profile the effective profile
     * @return the server
     */
    public static ExternalPostgres connect(ProductionProfile profile) {
        long t0 = System.nanoTime();
        String url = profile.require(ProductionProfile.POSTGRES_URL, "jdbc:postgresql://127.0.0.1:5432/postgres");
        URI uri = URI.create(url.substring("jdbc:".length()));
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null || uri.getPath().length() <= 1
                ? "postgres"
                : uri.getPath().substring(1);
        String user = profile.get(ProductionProfile.POSTGRES_OWNER_USER).orElse(null);
        if (user == null) {
            throw new ExtensionConfigurationException("provider=external needs the user that may create databases:"
                    + " add " + ProductionProfile.POSTGRES_OWNER_USER + "=<user> (and "
                    + ProductionProfile.POSTGRES_OWNER_PASSWORD + "=<password>) to prodlike.properties or pass "
                    + "-Dprodlike." + ProductionProfile.POSTGRES_OWNER_USER + "=<user>.");
        }
        ExternalPostgres server = new ExternalPostgres(
                host,
                port,
                path,
                user,
                profile.get(ProductionProfile.POSTGRES_OWNER_PASSWORD).orElse(null),
                url,
                0);
        try (Connection c = server.ownerConnection(path);
                var rs = c.createStatement()
                        .executeQuery("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new ExtensionConfigurationException("The external server's user '" + user + "' may not "
                        + "create databases, and prodlike works only in databases it creates.\nFix: ALTER ROLE "
                        + user + " CREATEDB; or name another user with " + ProductionProfile.POSTGRES_OWNER_USER);
            }
        } catch (SQLException e) {
            throw new ExtensionConfigurationException(
                    "Cannot connect to the external PostgreSQL at " + url + " as "
                            + user + ": " + e.getMessage() + "\nFix: check " + ProductionProfile.POSTGRES_URL + ", "
                            + ProductionProfile.POSTGRES_OWNER_USER + " and "
                            + ProductionProfile.POSTGRES_OWNER_PASSWORD
                            + ", or use provider=embedded.",
                    e);
        }
        return new ExternalPostgres(host, port, path, user, server.password, url, (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String ownerUser() {
        return user;
    }

    @Override
    public String ownerPassword() {
        return password;
    }

    @Override
    public String adminDatabase() {
        return adminDatabase;
    }

    @Override
    public String description() {
        return "external (" + url + ")";
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
