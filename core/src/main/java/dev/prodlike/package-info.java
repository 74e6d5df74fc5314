/**
 * prodlike core: the production profile and the provider model every prodlike module shares.
 *
 * <p>{@link dev.prodlike.ProductionProfile} reads {@code prodlike.properties} from the test classpath (normally
 * {@code src/test/resources}), applies annotation attributes and {@code -Dprodlike.<key>} overrides, and validates
 * every key (each module declares its keys through {@link dev.prodlike.spi.ProfileKeys}). {@link dev.prodlike.Provider}
 * names where servers come from: {@code docker} (Testcontainers), {@code embedded} (binaries from Maven Central, no
 * Docker) or {@code external} (an existing server, in databases prodlike creates and drops); {@code auto} picks docker
 * when an engine answers and the image is at hand, else embedded, and says why.
 *
 * <p>PostgreSQL lives in {@link dev.prodlike.postgres}; Redis, JWT and the RLS assertions in their own modules.
 * {@code dev.prodlike.internal} and every other {@code ...internal} package are not API. Each public type carries
 * {@link org.apiguardian.api.API @API} with its stability.
 *
 * @since 0.1.0
 */
package dev.prodlike;
