package dev.prodlike.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * The suites also run with {@code -Dprodlike.provider=docker} (CI's Docker step), which overrides every profile and
 * annotation. Tests about one provider's own behaviour (embedded binaries, an external server) say so and are
 * skipped, with this reason, in such a run; every other test runs on the forced provider.
 */
public final class ForcedProvider {

    private ForcedProvider() {}

    /**
     * @param provider the provider the calling test is about, such as {@code embedded}
     */
    public static void assumeAllows(String provider) {
        String forced = System.getProperty("prodlike.provider");
        Assumptions.assumeTrue(
                forced == null || forced.equals(provider) || forced.equals("auto"),
                () -> "this test is about provider=" + provider + ", and this run forces -Dprodlike.provider="
                        + forced);
    }
}
