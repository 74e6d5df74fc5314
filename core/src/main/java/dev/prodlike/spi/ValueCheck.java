package dev.prodlike.spi;

import dev.prodlike.internal.ProfileValues;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Checks one profile value; part of {@link ProfileKeys}.
 *
 * <p>A check returns {@code null} when the value is fine, else what the value must be, phrased to follow the key in a
 * message: {@code "must be a Redis version such as 7.0"} becomes
 * {@code redis.version must be a Redis version such as 7.0.} Empty values are refused before any check runs.
 *
 * @since 0.1.0
 */
@FunctionalInterface
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public interface ValueCheck {

    /**
     * @param value the trimmed, non-empty value
     * @return {@code null} when the value is fine, else what it must be
     */
    String problem(String value);

    /** @return a check that accepts any value (secrets, free text) */
    static ValueCheck any() {
        return v -> null;
    }

    /**
     * @param problem what the value must be, e.g. {@code "must not be blank"}
     * @return a check that refuses blank values
     */
    static ValueCheck notBlank(String problem) {
        return v -> v.isBlank() ? problem : null;
    }

    /**
     * @param pattern the whole value must match it
     * @param problem what the value must be otherwise
     * @return the check
     */
    static ValueCheck matching(Pattern pattern, String problem) {
        return v -> pattern.matcher(v).matches() ? null : problem;
    }

    /**
     * @param min smallest allowed
     * @param max largest allowed
     * @return a check for a whole number in {@code [min, max]}
     */
    static ValueCheck intBetween(int min, int max) {
        return v -> {
            try {
                int n = Integer.parseInt(v.trim());
                return n < min || n > max ? "must be a number from " + min + " to " + max : null;
            } catch (NumberFormatException e) {
                return "must be a number from " + min + " to " + max;
            }
        };
    }

    /** @return a check for a TCP port, 1 to 65535 */
    static ValueCheck port() {
        return intBetween(1, 65535);
    }

    /**
     * @return a check for a duration as the profile writes it ({@code 15m}, {@code 30s}, {@code PT15M}), see
     *         {@link dev.prodlike.ProductionProfile#parseDuration(String)}
     */
    static ValueCheck duration() {
        return v -> {
            try {
                Duration ignored = ProfileValues.duration(v);
                return ignored == null ? "must be a duration" : null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        };
    }
}
