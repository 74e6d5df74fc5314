package dev.prodlike.jwt;

import org.apiguardian.api.API;

/**
 * The known attacks on JWT validation that {@link AbstractTokenValidatorAssert#rejectsKnownAttacks(TestTokens)}
 * crafts real tokens for. Each constant says what its token looks like and why accepting it is dangerous.
 *
 * <p>Every attack is checked by default. A service that deliberately accepts one (policy checks such as
 * {@link #MISSING_EXP} or {@link #DISALLOWED_ALGORITHM}) relaxes it explicitly:
 * {@code assertThatValidator(v).allowing(Attack.MISSING_EXP).rejectsKnownAttacks(tokens)}.
 *
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public enum Attack {

    /** {@code "alg":"none"} with no signature. */
    ALG_NONE(
            false,
            "\"alg\":\"none\" and an empty signature",
            "anyone can mint a token for any tenant and user without a key"),

    /** {@code "alg"} set to None, NONE or nOnE, with no signature. */
    ALG_NONE_CASE_VARIANTS(
            false,
            "\"alg\" as a case variant of none (None, NONE, nOnE) and an empty signature",
            "a check that rejects only the exact string \"none\" is bypassed, so anyone can mint tokens without a key"),

    /** A genuine token with its signature removed. */
    SIGNATURE_STRIPPED(
            false,
            "a genuine header and claims with the signature part removed",
            "the signature is never checked when absent, so any claims are accepted"),

    /** Signed by a key that is not in the issuer's key set, under the issuer's own {@code kid}. */
    FOREIGN_KEY_SIGNATURE(
            false,
            "signed by an attacker's key of the same algorithm, under the issuer's kid",
            "the signature is not verified against the issuer's keys, so anyone with any key can mint tokens"),

    /** HS256, with the issuer's public key (DER or PEM) as the HMAC secret. */
    HS256_WITH_PUBLIC_KEY(
            false,
            "\"alg\":\"HS256\" with the issuer's public key as the HMAC secret",
            "algorithm confusion: the public key is public, so anyone can compute a valid HMAC and mint tokens"),

    /** The attacker's public key embedded in the {@code jwk} header, signed with its private key. */
    EMBEDDED_JWK(
            false,
            "the attacker's public key in the \"jwk\" header and signed with its private key",
            "the token brings its own key, so it verifies itself: anyone can mint tokens"),

    /** A {@code jku} header pointing at an attacker JWKS. */
    JKU_ATTACKER_JWKS(
            false,
            "a \"jku\" header pointing at an attacker's JWKS, signed with the attacker's key",
            "the token names where to fetch the verification key; fetching it is also a server-side request forgery"),

    /** An {@code x5u} header pointing at an attacker URL. */
    X5U_ATTACKER_URL(
            false,
            "an \"x5u\" header pointing at an attacker's URL, signed with the attacker's key",
            "the token names where to fetch the verification key; fetching it is also a server-side request forgery"),

    /** A {@code kid} that injects a path, SQL or an unknown id resolving to an empty HMAC key. */
    KID_INJECTION(
            false,
            "\"alg\":\"HS256\" with a \"kid\" that injects a path, SQL or an unknown id, "
                    + "signed with the secret that lookup yields",
            "key lookup by an attacker-controlled kid hands the attacker the verification secret"),

    /** ES256 with r = s = 0 (CVE-2022-21449, "psychic signatures"); for ES256 issuers. */
    PSYCHIC_SIGNATURE(
            false,
            "an ES256 signature of all zero bytes (r = s = 0)",
            "ECDSA verification without the range check (CVE-2022-21449) accepts it for any claims"),

    /** A validly signed token that lists an unknown extension in {@code crit}. */
    UNKNOWN_CRIT_HEADER(
            true,
            "validly signed, with a \"crit\" header naming an extension no validator knows",
            "RFC 7515 requires rejecting it: the issuer declared the token must not be used by anyone who does not "
                    + "understand that extension"),

    /** Signed by the issuer's own key but with an algorithm outside the allow-list (e.g. RS384, RS512, PS256). */
    DISALLOWED_ALGORITHM(
            true,
            "signed by the issuer's own key with an algorithm outside the allow-list",
            "the algorithm is taken from the token instead of the configuration, which opens the door to algorithm "
                    + "confusion and downgrades"),

    /** Expired an hour ago, far beyond any reasonable clock skew. */
    EXPIRED(false, "validly signed, expired an hour ago", "a leaked or revoked-by-expiry token keeps working"),

    /** {@code nbf} an hour in the future. */
    NOT_YET_VALID(
            false,
            "validly signed, with nbf an hour in the future",
            "tokens issued for later use (or with a skewed clock) work early"),

    /** A validly signed token without {@code exp}. */
    MISSING_EXP(
            true,
            "validly signed, without an exp claim",
            "a token without exp never expires: once leaked, it works forever"),

    /** A validly signed token from another issuer, or from look-alikes of the issuer (a suffix added, a trailing
     * slash, another scheme, another case). */
    WRONG_ISSUER(
            false,
            "validly signed, with another iss or a look-alike of the issuer",
            "tokens minted for another issuer (or another environment) are accepted"),

    /** A validly signed token for another audience, or for look-alikes of the audience (a prefix, suffix or
     * substring of it, another case, inside a longer value in an array). */
    WRONG_AUDIENCE(
            false,
            "validly signed, with an aud of another service or a look-alike of the audience",
            "a token issued for another service can be replayed against this one"),

    /** A genuine token whose tenant claim was changed after signing. */
    TAMPERED_TENANT_CLAIM(
            false,
            "a genuine token whose tenant claim was changed after signing, original signature kept",
            "a user of one tenant reads and writes another tenant's data"),

    /** A validly signed token without the tenant claim. */
    MISSING_TENANT_CLAIM(
            true,
            "validly signed, without the tenant claim",
            "requests run with no tenant, which code downstream may treat as all tenants or a default tenant");

    private final boolean policy;
    private final String token;
    private final String danger;

    Attack(boolean policy, String token, String danger) {
        this.policy = policy;
        this.token = token;
        this.danger = danger;
    }

    /**
     * @return true for policy checks a service may deliberately relax (e.g. {@link #MISSING_EXP}); false for attacks
     *         that forge or misuse tokens
     */
    public boolean isPolicy() {
        return policy;
    }

    /** @return what the crafted token looks like */
    public String token() {
        return token;
    }

    /** @return why accepting the token is dangerous */
    public String danger() {
        return danger;
    }
}
