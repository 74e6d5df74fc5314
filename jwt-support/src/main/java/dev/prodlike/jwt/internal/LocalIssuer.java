package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.IssuerFault;
import dev.prodlike.jwt.IssuerFaults;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenBuilder;
import dev.prodlike.jwt.TokenClock;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SignatureAlgorithm;
import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link TestTokens} implementation: keys, jjwt signing, lazily started JWKS/discovery server. Closed by the
 * JUnit Store that holds it. Internal API.
 *
 * @since 0.1.0
 */
@SuppressWarnings("deprecation") // CloseableResource: needed while JUnit 5.x before 5.13 is supported
public final class LocalIssuer implements TestTokens, AutoCloseable, ExtensionContext.Store.CloseableResource {

    /** Path of the JWKS: {@value}. */
    public static final String JWKS_PATH = "/.well-known/jwks.json";
    /** Path of the OpenID discovery document: {@value}. */
    public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final IssuerSettings settings;
    private final TokenClock clock = TokenClock.system();
    /** The JWKS document of the current keys, made once per key change (the endpoint serves it as it is). */
    private String jwks;
    /** Key id → key pair, current signing key first. */
    private final LinkedHashMap<String, KeyPair> keys = new LinkedHashMap<>();

    private String currentKid;
    private LocalHttpServer server;
    private boolean closed;
    private final IssuerFaultsImpl faults = new IssuerFaultsImpl(this::startedServer, JWKS_PATH, DISCOVERY_PATH);

    /**
     * Generates the first key.
     *
     * @param settings issuer, audience, algorithm, tenant claim, lifetime
     */
    public LocalIssuer(IssuerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        rotateKeys();
    }

    @Override
    public String issuer() {
        return settings.issuer();
    }

    @Override
    public String audience() {
        return settings.audience();
    }

    @Override
    public String algorithm() {
        return settings.algorithm();
    }

    @Override
    public String tenantClaim() {
        return settings.tenantClaim();
    }

    @Override
    public Duration tokenLifetime() {
        return settings.tokenLifetime();
    }

    @Override
    public TokenClock clock() {
        return clock;
    }

    @Override
    public TokenBuilder forTenant(String tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return new Builder(tenant);
    }

    @Override
    public synchronized URI jwksUri() {
        return server().uri(JWKS_PATH);
    }

    @Override
    public synchronized URI discoveryUri() {
        return server().uri(DISCOVERY_PATH);
    }

    @Override
    public IssuerFaults faults() {
        return faults;
    }

    @Override
    public IssuerFault outage() {
        return faults.refuse();
    }

    /** Ends every fault still active: at the end of each test that used a shared issuer, and at close. */
    public void endFaults() {
        faults.endAll();
    }

    private synchronized LocalHttpServer startedServer() {
        return server();
    }

    @Override
    public synchronized Map<String, PublicKey> publicKeys() {
        Map<String, PublicKey> result = new LinkedHashMap<>();
        keys.forEach((kid, pair) -> result.put(kid, pair.getPublic()));
        return Collections.unmodifiableMap(result);
    }

    @Override
    public synchronized String jwksJson() {
        if (jwks == null) {
            List<Object> list = new ArrayList<>();
            keys.forEach((kid, pair) -> list.add(Keys.publicJwk(kid, settings.algorithm(), pair.getPublic())));
            jwks = Json.write(Map.of("keys", list));
        }
        return jwks;
    }

    @Override
    public synchronized String currentKeyId() {
        return currentKid;
    }

    @Override
    public String rotateKeys() {
        // generated outside the lock: an RSA key takes long on a busy machine, and the JWKS endpoint an application
        // fetches meanwhile (Spring Security 7 gives it 500 ms) must not wait for it
        KeyPair pair = Keys.generate(settings.algorithm());
        String kid = Keys.thumbprint(pair.getPublic());
        synchronized (this) {
            LinkedHashMap<String, KeyPair> old = new LinkedHashMap<>(keys);
            keys.clear();
            keys.put(kid, pair);
            keys.putAll(old);
            currentKid = kid;
            jwks = null;
        }
        return kid;
    }

    @Override
    public synchronized void retireOldKeys() {
        KeyPair current = keys.get(currentKid);
        keys.clear();
        keys.put(currentKid, current);
        jwks = null;
    }

    @Override
    public synchronized KeyPair currentKeyPair() {
        return keys.get(currentKid);
    }

    /** @return the settings this issuer was created with */
    public IssuerSettings settings() {
        return settings;
    }

    private LocalHttpServer server() {
        if (closed) {
            throw new IllegalStateException("This TestTokens issuer was closed when its test scope ended");
        }
        if (server == null) {
            Map<String, Supplier<String>> documents = Map.of(
                    JWKS_PATH, this::jwksJson,
                    DISCOVERY_PATH, this::discoveryJson);
            try {
                server = LocalHttpServer.start("jwks", documents);
                server.gate(faults.gate());
            } catch (IOException e) {
                throw new ExtensionConfigurationException(
                        "Could not start the JWKS server for @JwtIssuer on 127.0.0.1 "
                                + "(tried a free port chosen by the OS): " + e
                                + ". Check that the loopback interface is up "
                                + "and that the JVM may open server sockets (a SecurityManager or sandbox may forbid it).",
                        e);
            }
        }
        return server;
    }

    private String discoveryJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", settings.issuer());
        doc.put("jwks_uri", jwksUri().toString());
        doc.put("id_token_signing_alg_values_supported", List.of(settings.algorithm()));
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("claims_supported", List.of("iss", "sub", "aud", "exp", "nbf", "iat", settings.tenantClaim()));
        return Json.write(doc);
    }

    /** @return jjwt's algorithm object for an asymmetric JWS algorithm name */
    public static SignatureAlgorithm jjwtAlgorithm(String alg) {
        switch (alg) {
            case "RS256":
                return Jwts.SIG.RS256;
            case "RS384":
                return Jwts.SIG.RS384;
            case "RS512":
                return Jwts.SIG.RS512;
            case "PS256":
                return Jwts.SIG.PS256;
            case "PS384":
                return Jwts.SIG.PS384;
            case "PS512":
                return Jwts.SIG.PS512;
            case "ES256":
                return Jwts.SIG.ES256;
            default:
                throw new IllegalArgumentException("Not supported for signing with jjwt: " + alg);
        }
    }

    /** Stops the JWKS server if it was started; idempotent. */
    @Override
    public void close() {
        if (!isClosed()) {
            faults.endAll(); // releases requests a hang still holds
        }
        closeServer();
    }

    private synchronized void closeServer() {
        closed = true;
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** @return whether {@link #close()} ran (for tests of the extension) */
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TestTokens[issuer " + settings.issuer() + ", audience " + settings.audience() + ", "
                + settings.algorithm() + ", tenant claim " + settings.tenantClaim() + ", lifetime "
                + settings.tokenLifetime() + "]";
    }

    private final class Builder implements TokenBuilder {
        private final String tenant;
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private String subject;
        private Duration lifetime = settings.tokenLifetime();
        private boolean withoutExpiration;
        private Instant notBefore;
        private Instant issuedAt;

        Builder(String tenant) {
            this.tenant = tenant;
        }

        @Override
        public TokenBuilder subject(String subject) {
            this.subject = subject;
            return this;
        }

        @Override
        public TokenBuilder claim(String name, Object value) {
            claims.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        @Override
        public TokenBuilder expiresIn(Duration lifetime) {
            this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
            this.withoutExpiration = false;
            return this;
        }

        @Override
        public TokenBuilder withoutExpiration() {
            this.withoutExpiration = true;
            return this;
        }

        @Override
        public TokenBuilder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        @Override
        public TokenBuilder issuedAt(Instant issuedAt) {
            this.issuedAt = issuedAt;
            return this;
        }

        @Override
        public String sign() {
            String kid;
            KeyPair pair;
            synchronized (LocalIssuer.this) {
                kid = currentKid;
                pair = keys.get(kid);
            }
            Instant iat = issuedAt != null ? issuedAt : clock.instant();
            JwtBuilder b = Jwts.builder()
                    .json(Json.SERIALIZER)
                    .header()
                    .keyId(kid)
                    .type("JWT")
                    .and()
                    .issuer(settings.issuer())
                    .audience()
                    .single(settings.audience())
                    .claim(settings.tenantClaim(), tenant)
                    .issuedAt(Date.from(iat));
            if (subject != null) {
                b.subject(subject);
            }
            if (!withoutExpiration) {
                b.expiration(Date.from(iat.plus(lifetime)));
            }
            if (notBefore != null) {
                b.notBefore(Date.from(notBefore));
            }
            claims.forEach(b::claim);
            return b.signWith(pair.getPrivate(), jjwtAlgorithm(settings.algorithm()))
                    .compact();
        }
    }
}
