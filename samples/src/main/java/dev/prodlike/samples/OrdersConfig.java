package dev.prodlike.samples;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Everything the service needs to run: where PostgreSQL, Redis and the identity provider's keys are, and what tokens
 * must carry. Built with {@link #builder()}; {@link OrdersApplication#main(String[])} fills it from environment
 * variables.
 *
 * @param database        connections as the {@code orders_app} role
 * @param redisUri        e.g. {@code redis://127.0.0.1:6379/0}
 * @param jwksUri         the identity provider's JWKS endpoint
 * @param issuer          required {@code iss}
 * @param audience        required {@code aud}
 * @param algorithms      accepted signature algorithms
 * @param tenantClaim     claim carrying the tenant
 * @param port            port on 127.0.0.1, 0 for a free one
 * @param clock           time for token checks
 * @param dbPoolSize      maximum database connections
 * @param redisTimeout    how long one Redis command may take
 * @param keyRefreshCooldown least time between key set fetches caused by unknown key ids
 * @param dbTimeout       how long one database round trip may take (the JDBC network timeout of every connection):
 *                        without it a stalled database holds a request thread for as long as it stalls
 * @since 0.1.0
 */
public record OrdersConfig(
        DataSource database,
        String redisUri,
        URI jwksUri,
        String issuer,
        String audience,
        Set<String> algorithms,
        String tenantClaim,
        int port,
        Clock clock,
        int dbPoolSize,
        Duration redisTimeout,
        Duration keyRefreshCooldown,
        Duration dbTimeout) {

    /** Validates that nothing required is missing. */
    public OrdersConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(jwksUri, "jwksUri");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        algorithms = Set.copyOf(algorithms);
    }

    /** @return a builder with production defaults: RS256, tenant claim {@code tenant_id}, a free port */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link OrdersConfig}. */
    public static final class Builder {
        private DataSource database;
        private String redisUri;
        private URI jwksUri;
        private String issuer;
        private String audience;
        private Set<String> algorithms = Set.of("RS256");
        private String tenantClaim = "tenant_id";
        private int port;
        private Clock clock = Clock.systemUTC();
        private int dbPoolSize = 4;
        private Duration redisTimeout = Duration.ofMillis(250);
        private Duration keyRefreshCooldown = Duration.ofSeconds(10);
        private Duration dbTimeout = Duration.ofSeconds(2);

        private Builder() {}

        /** @param v connections as the app role @return this */
        public Builder database(DataSource v) {
            database = v;
            return this;
        }

        /** @param v Redis URI @return this */
        public Builder redisUri(String v) {
            redisUri = v;
            return this;
        }

        /** @param v JWKS endpoint @return this */
        public Builder jwksUri(URI v) {
            jwksUri = v;
            return this;
        }

        /** @param v required issuer @return this */
        public Builder issuer(String v) {
            issuer = v;
            return this;
        }

        /** @param v required audience @return this */
        public Builder audience(String v) {
            audience = v;
            return this;
        }

        /** @param v accepted algorithms @return this */
        public Builder algorithms(Set<String> v) {
            algorithms = v;
            return this;
        }

        /** @param v tenant claim @return this */
        public Builder tenantClaim(String v) {
            tenantClaim = v;
            return this;
        }

        /** @param v port, 0 for a free one @return this */
        public Builder port(int v) {
            port = v;
            return this;
        }

        /** @param v clock for token checks @return this */
        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        /** @param v maximum database connections @return this */
        public Builder dbPoolSize(int v) {
            dbPoolSize = v;
            return this;
        }

        /** @param v Redis command timeout @return this */
        public Builder redisTimeout(Duration v) {
            redisTimeout = v;
            return this;
        }

        /** @param v least time between unknown-kid key set fetches @return this */
        public Builder keyRefreshCooldown(Duration v) {
            keyRefreshCooldown = v;
            return this;
        }

        /** @param v JDBC network timeout of every connection @return this */
        public Builder dbTimeout(Duration v) {
            dbTimeout = v;
            return this;
        }

        /** @return the config */
        public OrdersConfig build() {
            return new OrdersConfig(
                    database,
                    redisUri,
                    jwksUri,
                    issuer,
                    audience,
                    algorithms,
                    tenantClaim,
                    port,
                    clock,
                    dbPoolSize,
                    redisTimeout,
                    keyRefreshCooldown,
                    dbTimeout);
        }
    }
}
