package dev.prodlike.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Differences between what a test server runs and what the production profile declares, and the table that
 * {@code drift=fail} fails with.
 */
public final class Drift {

    /**
     * One compared item.
     *
     * @param key        profile key, e.g. {@code postgres.version}
     * @param production what the profile declares
     * @param test       what the test server runs
     */
    public record Finding(String key, String production, String test) {
    }

    private Drift() {
    }

    /**
     * Renders findings as the table DESIGN.md shows.
     *
     * @param findings  the differences (non-empty)
     * @param source    where production was declared, e.g. {@code prodlike.properties}
     * @param provider  how the test server was provided, e.g. {@code provider embedded: zonky binaries 15.10}
     * @param fix       what to do, one or more lines
     * @return the message
     */
    public static String table(List<Finding> findings, String source, String provider, String fix) {
        int keyWidth = "key".length();
        int prodWidth = 0;
        int testWidth = 0;
        for (Finding f : findings) {
            keyWidth = Math.max(keyWidth, f.key().length());
            prodWidth = Math.max(prodWidth, f.production().length());
            testWidth = Math.max(testWidth, f.test().length());
        }
        StringBuilder sb = new StringBuilder("Test environment differs from production (").append(source).append("):");
        for (Finding f : findings) {
            sb.append("\n  ").append(pad(f.key(), keyWidth))
                    .append("   production ").append(pad(f.production(), prodWidth))
                    .append("   test ").append(pad(f.test(), testWidth))
                    .append("   (").append(provider).append(')');
        }
        if (fix != null && !fix.isBlank()) {
            sb.append('\n').append(fix);
        }
        return sb.toString();
    }

    /**
     * @param findings findings
     * @return them as {@code key: production X, test Y} strings, for the report
     */
    public static List<String> lines(List<Finding> findings) {
        List<String> out = new ArrayList<>();
        for (Finding f : findings) {
            out.add(f.key() + ": production " + f.production() + ", test " + f.test());
        }
        return out;
    }

    private static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
