package dev.prodlike.jwt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The clock a {@link TestTokens} issuer stamps {@code iat}, {@code nbf} and {@code exp} with, under the test's control.
 *
 * <p>It follows system time until the test moves it: {@link #freezeAt(Instant)} stops it at an instant,
 * {@link #advance(Duration)} moves it forward (frozen or not), {@link #useSystemTime()} returns to system time.
 * It is a {@link Clock}, so a validator under test can read the same time:
 *
 * <pre>{@code
 * tokens.clock().freezeAt(Instant.parse("2030-01-01T00:00:00Z"));
 * String t = tokens.forTenant("acme").sign();
 * tokens.clock().advance(Duration.ofMinutes(16));   // t is now expired for a validator using tokens.clock()
 * Jwts.parser().clock(() -> Date.from(tokens.clock().instant()))...
 * }</pre>
 *
 * <p>Thread-safe. The attack suite also uses this clock, so a validator that uses system time should leave it
 * unfrozen while {@code rejectsKnownAttacks} runs.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public final class TokenClock extends Clock {

    private Instant frozen;
    private Duration offset = Duration.ZERO;

    private TokenClock() {}

    /** @return a new clock that follows system time */
    public static TokenClock system() {
        return new TokenClock();
    }

    /**
     * Stops the clock at {@code instant}.
     *
     * @param instant the time every later token is stamped with until the clock moves
     * @return this clock
     */
    public synchronized TokenClock freezeAt(Instant instant) {
        this.frozen = Objects.requireNonNull(instant, "instant");
        return this;
    }

    /**
     * Moves the clock forward (or back, with a negative duration).
     *
     * @param duration how far
     * @return this clock
     */
    public synchronized TokenClock advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (frozen != null) {
            frozen = frozen.plus(duration);
        } else {
            offset = offset.plus(duration);
        }
        return this;
    }

    /**
     * Returns to system time, dropping any freeze and offset.
     *
     * @return this clock
     */
    public synchronized TokenClock useSystemTime() {
        frozen = null;
        offset = Duration.ZERO;
        return this;
    }

    /** @return whether the clock is frozen */
    public synchronized boolean isFrozen() {
        return frozen != null;
    }

    @Override
    public synchronized Instant instant() {
        return frozen != null ? frozen : Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** Not supported: tokens use UTC; use {@link #instant()}. */
    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("A TokenClock is always UTC; JWT times are UTC seconds");
    }

    @Override
    public synchronized String toString() {
        return frozen != null
                ? "TokenClock[frozen at " + frozen + "]"
                : offset.isZero()
                        ? "TokenClock[system]"
                        : "TokenClock[system " + (offset.isNegative() ? "" : "+") + offset + "]";
    }
}
