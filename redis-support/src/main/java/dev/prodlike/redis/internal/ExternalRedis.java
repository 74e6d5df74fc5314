package dev.prodlike.redis.internal;

import dev.prodlike.ProductionProfile;
import dev.prodlike.internal.ProvidedServer;
import dev.prodlike.redis.RedisKeys;
import io.lettuce.core.RedisURI;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * An existing Redis named by {@code redis.url}. prodlike uses only the logical database the URL names: it empties that
 * one database (FLUSHDB) before each test, never runs FLUSHALL, never changes the server's configuration, and never
 * pauses or stops it.
 */
public final class ExternalRedis extends ProvidedServer implements RedisServer {

    private final String url;
    private final RedisURI uri;
    private final int database;

    private ExternalRedis(String url, RedisURI uri, int database) {
        super("external", false, Map.of(), 0);
        this.url = url;
        this.uri = uri;
        this.database = database;
    }

    /**
     * @param profile the effective profile
     * @return the server
     * @throws ExtensionConfigurationException when the URL names no database
     */
    public static ExternalRedis connect(ProductionProfile profile) {
        String url = profile.require(RedisKeys.URL, "redis://127.0.0.1:6379/15");
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new ExtensionConfigurationException(
                    "Malformed " + RedisKeys.URL + "=" + redact(url) + ": " + e.getMessage(), e);
        }
        String path = url.replaceFirst("^rediss?://[^/]*", "").replaceFirst("[?#].*$", "");
        if (!path.matches("/[0-9]{1,4}")) {
            throw new ExtensionConfigurationException(RedisKeys.URL + "=" + redact(url) + " names no"
                    + " logical database.\nprodlike empties the database it is given (FLUSHDB) before every test, so"
                    + " it only uses one that the URL names explicitly and never database 0 by default.\nFix: name a"
                    + " database reserved for tests, e.g. " + RedisKeys.URL + "=redis://"
                    + uri.getHost() + ":" + uri.getPort() + "/15");
        }
        return new ExternalRedis(url, uri, uri.getDatabase());
    }

    static String redact(String url) {
        return url.replaceFirst("//[^@/]*@", "//***@");
    }

    @Override
    public String host() {
        return uri.getHost();
    }

    @Override
    public int port() {
        return uri.getPort();
    }

    @Override
    public RedisURI baseUri() {
        return RedisURI.builder(uri).withDatabase(0).build();
    }

    @Override
    public String uri(int db) {
        return url;
    }

    @Override
    public int[] databases() {
        return new int[] {database};
    }

    @Override
    public String description() {
        return "external (" + redact(url) + ", database " + database + " only)";
    }

    @Override
    public void stopForOutage() {
        throw new UnsupportedOperationException("An external Redis is never stopped by prodlike");
    }

    @Override
    public void restart() {
        throw new UnsupportedOperationException("An external Redis is never stopped by prodlike");
    }

    @Override
    public void close() {
        // not ours to stop
    }

    @Override
    public String toString() {
        return description();
    }
}
