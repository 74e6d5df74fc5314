package dev.prodlike.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every server prodlike uses tells about where it came from, for the drift table and the report: the
 * provider, whether prodlike started it, its deliberate test-only settings and how long it took to answer.
 */
public abstract class ProvidedServer {

    private final String provider;
    private final boolean provisioned;
    private final Map<String, String> deliberate;
    private final long startMillis;

    /**
     * @param provider    docker, embedded or external
     * @param provisioned true when prodlike started the server (and may stop it)
     * @param deliberate  test-only settings applied for speed, with why they do not change semantics
     * @param startMillis milliseconds until the server answered
     */
    protected ProvidedServer(String provider, boolean provisioned, Map<String, String> deliberate, long startMillis) {
        this.provider = provider;
        this.provisioned = provisioned;
        this.deliberate = Collections.unmodifiableMap(new LinkedHashMap<>(deliberate));
        this.startMillis = startMillis;
    }

    /** @return the provider name: docker, embedded or external */
    public String provider() {
        return provider;
    }

    /** @return true when prodlike started this server (settings applied, may be stopped) */
    public boolean provisioned() {
        return provisioned;
    }

    /** @return test-only settings applied for speed, with why they do not change semantics */
    public Map<String, String> deliberateSettings() {
        return deliberate;
    }

    /** @return milliseconds it took to have this server answer */
    public long startMillis() {
        return startMillis;
    }
}
