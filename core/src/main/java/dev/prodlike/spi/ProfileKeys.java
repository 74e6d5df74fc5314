package dev.prodlike.spi;

import java.util.Map;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The production-profile keys a prodlike module declares, so that {@code prodlike.properties} can hold them and every
 * key is still validated.
 *
 * <p>Core knows only its own keys ({@code postgres.*}, {@code provider}, {@code drift}, ...). A module adds its keys by
 * implementing this interface in a class with a public no-argument constructor and naming that class in
 * {@code META-INF/services/dev.prodlike.spi.ProfileKeys}; {@link java.util.ServiceLoader} finds it on the test
 * classpath. A key that no module on the classpath declares is an error that names the key and the file.
 *
 * <pre>{@code
 * public final class KafkaProfileKeys implements ProfileKeys {
 *     public Map<String, ValueCheck> keys() {
 *         return Map.of("kafka.version", ValueCheck.matching(Pattern.compile("[0-9]+\\.[0-9]+(\\.[0-9]+)?"),
 *                 "must be a Kafka version such as 3.7"));
 *     }
 *     public Set<String> prefixes() {
 *         return Set.of("kafka.settings.");
 *     }
 * }
 * }</pre>
 *
 * <p>Two modules must not declare the same key; the first one found wins and the duplicate is ignored.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface ProfileKeys {

    /**
     * @return the exact keys this module reads, each with the check of its value, in the order they are listed in
     *         messages (use a {@link java.util.LinkedHashMap} to keep an order)
     */
    Map<String, ValueCheck> keys();

    /**
     * Prefixes of open-ended keys such as {@code redis.settings.}: a key {@code <prefix><name>} is accepted when
     * {@code <name>} is a setting name (letters, digits, {@code _ . -}), and its value is not empty.
     *
     * @return the prefixes, each ending in a dot; none by default
     */
    default Set<String> prefixes() {
        return Set.of();
    }
}
