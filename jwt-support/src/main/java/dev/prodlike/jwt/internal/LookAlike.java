package dev.prodlike.jwt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A claim value that looks like the expected issuer or audience but is not it, and the loose comparison it gets
 * through: the look-alike variants of {@link dev.prodlike.jwt.Attack#WRONG_ISSUER} and
 * {@link dev.prodlike.jwt.Attack#WRONG_AUDIENCE}. Internal API.
 *
 * @param name  the variant's description in failure messages
 * @param value the claim value ({@code String} or a {@code List} for an array)
 * @since 0.1.0
 */
public record LookAlike(String name, Object value) {

    /** Variant name: the issuer with a trailing slash added (or removed). */
    public static final String ISSUER_TRAILING_SLASH =
            "issuer with a trailing slash added or removed (passes a check " + "that normalises slashes)";
    /** Variant name: the issuer under the other scheme. */
    public static final String ISSUER_OTHER_SCHEME =
            "issuer with another scheme (passes a check that ignores the " + "scheme)";
    /** Variant name: the issuer in another case. */
    public static final String ISSUER_OTHER_CASE = "issuer in another case (passes a case-insensitive check)";
    /** Variant name: a prefix of the audience. */
    public static final String AUDIENCE_PREFIX =
            "audience that is a prefix of the expected one (passes " + "expected.startsWith(aud))";
    /** Variant name: a suffix of the audience. */
    public static final String AUDIENCE_SUFFIX =
            "audience that is a suffix of the expected one (passes " + "expected.endsWith(aud))";
    /** Variant name: a substring of the audience, neither prefix nor suffix. */
    public static final String AUDIENCE_SUBSTRING =
            "audience that is a substring of the expected one (passes " + "expected.contains(aud))";
    /** Variant name: the audience in another case. */
    public static final String AUDIENCE_OTHER_CASE = "audience in another case (passes a case-insensitive check)";
    /** Variant name: the audience inside a longer value in an array. */
    public static final String AUDIENCE_IN_ARRAY =
            "expected audience inside a longer value in an array (passes a " + "text search of the claim)";

    /**
     * @param issuer the expected issuer
     * @return its look-alikes; a variant that would equal the issuer is left out
     */
    public static List<LookAlike> ofIssuer(String issuer) {
        List<LookAlike> out = new ArrayList<>();
        out.add(new LookAlike(
                ISSUER_TRAILING_SLASH, issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer + "/"));
        int colon = issuer.indexOf("://");
        String other = colon < 0
                ? "https://" + issuer
                : issuer.startsWith("https://") ? "http" + issuer.substring(colon) : "https" + issuer.substring(colon);
        out.add(new LookAlike(ISSUER_OTHER_SCHEME, other));
        addOtherCase(out, ISSUER_OTHER_CASE, issuer);
        return out;
    }

    /**
     * @param audience the expected audience
     * @return its look-alikes; variants too short to make (a one-letter audience) are left out
     */
    public static List<LookAlike> ofAudience(String audience) {
        List<LookAlike> out = new ArrayList<>();
        int n = audience.length();
        if (n >= 2) {
            out.add(new LookAlike(AUDIENCE_PREFIX, audience.substring(0, n / 2)));
            out.add(new LookAlike(AUDIENCE_SUFFIX, audience.substring(n - n / 2)));
        }
        if (n >= 3) {
            out.add(new LookAlike(AUDIENCE_SUBSTRING, audience.substring(1, n - 1)));
        }
        addOtherCase(out, AUDIENCE_OTHER_CASE, audience);
        out.add(new LookAlike(AUDIENCE_IN_ARRAY, List.of("not-" + audience)));
        return out;
    }

    private static void addOtherCase(List<LookAlike> out, String name, String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        String other = !upper.equals(value) ? upper : value.toLowerCase(Locale.ROOT);
        if (!other.equals(value)) {
            out.add(new LookAlike(name, other));
        }
    }
}
