package dev.prodlike.jwt;

import dev.prodlike.ProductionProfile;
import dev.prodlike.jwt.internal.DecodedToken;
import dev.prodlike.jwt.internal.IssuerSettings;
import dev.prodlike.jwt.internal.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.ProtectedHeader;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a compact JWS. Every failure message shows the token's decoded header and claims.
 *
 * <pre>{@code
 * assertThatToken(t).isValidFor(tokens).hasTenant("acme").hasClaim("roles", List.of("admin"))
 *                   .expiresWithin(Duration.ofMinutes(16));
 * }</pre>
 *
 * <p>After {@link #isValidFor(TestTokens)}, {@link #hasTenant(String)} reads that issuer's tenant claim and
 * {@link #expiresWithin(Duration)} its clock; before, the profile's {@code jwt.tenant-claim} (default
 * {@code tenant_id}) and system time.
 *
 * @param <SELF> the concrete assertion type
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public abstract class AbstractTokenAssert<SELF extends AbstractTokenAssert<SELF>> extends AbstractAssert<SELF, String> {

    private TestTokens issuer;

    /**
     * @param token    the compact JWS under test
     * @param selfType the concrete assertion class
     */
    protected AbstractTokenAssert(String token, Class<?> selfType) {
        super(token, selfType);
    }

    /**
     * Verifies the token as a strict validator of the issuer would: signature by a key of the issuer's key set
     * (found by {@code kid}) with exactly the issuer's algorithm, {@code iss}, {@code aud}, {@code exp} present and
     * not passed, {@code nbf} reached (both on {@link TestTokens#clock()}, no skew), and the tenant claim present.
     *
     * @param tokens the issuer
     * @return this assertion
     */
    public SELF isValidFor(TestTokens tokens) {
        Objects.requireNonNull(tokens, "tokens");
        DecodedToken token = decoded();
        this.issuer = tokens;
        String problem = validate(token, tokens);
        if (problem != null) {
            fail(
                    "to be valid for issuer " + tokens.issuer() + " (" + tokens.algorithm() + ", audience "
                            + tokens.audience() + ", keys "
                            + tokens.publicKeys().keySet() + ") at "
                            + tokens.clock().instant(),
                    token,
                    problem);
        }
        return myself;
    }

    /**
     * @param tenant the expected value of the tenant claim
     * @return this assertion
     */
    public SELF hasTenant(String tenant) {
        DecodedToken token = decoded();
        String claim = tenantClaim();
        Object actualTenant = token.claims().get(claim);
        if (actualTenant == null) {
            fail("to carry tenant \"" + tenant + "\" in claim " + claim, token, "it has no " + claim + " claim");
        } else if (!actualTenant.equals(tenant)) {
            fail(
                    "to carry tenant \"" + tenant + "\" in claim " + claim,
                    token,
                    "it carries " + Json.write(actualTenant));
        }
        return myself;
    }

    /**
     * Compares a claim as JSON: {@code List.of("admin")} equals the array {@code ["admin"]}, {@code 5} equals
     * {@code 5L}.
     *
     * @param name     the claim name
     * @param expected the expected value (string, number, boolean, list, map)
     * @return this assertion
     */
    public SELF hasClaim(String name, Object expected) {
        DecodedToken token = decoded();
        Object expectedJson = Json.normalize(expected);
        if (!token.claims().containsKey(name)) {
            fail("to have claim " + name + " = " + Json.write(expected), token, "it has no " + name + " claim");
        } else if (!Objects.equals(Json.normalize(token.claims().get(name)), expectedJson)) {
            fail(
                    "to have claim " + name + " = " + Json.write(expected),
                    token,
                    "it is " + Json.write(token.claims().get(name)));
        }
        return myself;
    }

    /**
     * @param subject the expected {@code sub}
     * @return this assertion
     */
    public SELF hasSubject(String subject) {
        DecodedToken token = decoded();
        Object sub = token.claims().get("sub");
        if (!Objects.equals(sub, subject)) {
            fail(
                    "to have subject \"" + subject + "\"",
                    token,
                    sub == null ? "it has no sub claim" : "it is " + Json.write(sub));
        }
        return myself;
    }

    /**
     * Verifies that the token has not expired and expires at most {@code duration} from now.
     *
     * @param duration the longest acceptable remaining lifetime
     * @return this assertion
     */
    public SELF expiresWithin(Duration duration) {
        DecodedToken token = decoded();
        Instant now = clock().instant();
        Instant exp = token.time("exp");
        String expectation = "to expire within " + duration + " of " + now;
        if (exp == null) {
            fail(expectation, token, "it has no exp claim, so it never expires");
        } else if (!exp.isAfter(now)) {
            fail(expectation, token, "it expired at " + exp + ", " + Duration.between(exp, now) + " ago");
        } else if (exp.isAfter(now.plus(duration))) {
            fail(expectation, token, "it expires at " + exp + ", in " + Duration.between(now, exp));
        }
        return myself;
    }

    private DecodedToken decoded() {
        isNotNull();
        try {
            return DecodedToken.decode(actual);
        } catch (IllegalArgumentException e) {
            failWithMessage(
                    "%s",
                    "\nExpecting a compact JWS (base64url header.payload.signature) but " + e.getMessage() + ":\n  "
                            + actual);
            throw new IllegalStateException("unreachable");
        }
    }

    private void fail(String expectation, DecodedToken token, String but) {
        failWithMessage("%s", "\nExpecting token\n" + token.describe("  ") + "\n" + expectation + "\nbut " + but);
    }

    private String tenantClaim() {
        if (issuer != null) {
            return issuer.tenantClaim();
        }
        return ProductionProfile.load().get(JwtKeys.TENANT_CLAIM, IssuerSettings.DEFAULT_TENANT_CLAIM);
    }

    private Clock clock() {
        return issuer != null ? issuer.clock() : Clock.systemUTC();
    }

    private static String validate(DecodedToken token, TestTokens tokens) {
        String alg = token.algorithm();
        if (!tokens.algorithm().equals(alg)) {
            return "its alg is " + (alg == null ? "missing" : Json.write(alg)) + ", not " + tokens.algorithm();
        }
        Object kid = token.header().get("kid");
        Map<String, PublicKey> keys = tokens.publicKeys();
        if (!(kid instanceof String) || !keys.containsKey(kid)) {
            return "its kid "
                    + (kid == null
                            ? "is missing"
                            : Json.write(kid) + " is not in the issuer's key set " + keys.keySet()
                                    + (tokens.currentKeyId().equals(kid) ? "" : " (retired by retireOldKeys()?)"));
        }
        Jws<Claims> jws;
        try {
            jws = Jwts.parser()
                    .json(Json.DESERIALIZER)
                    .keyLocator(h -> (Key) keys.get(((ProtectedHeader) h).getKeyId()))
                    .clock(() -> Date.from(tokens.clock().instant()))
                    .requireIssuer(tokens.issuer())
                    .requireAudience(tokens.audience())
                    .build()
                    .parseSignedClaims(token.raw());
        } catch (RuntimeException e) {
            return "jjwt rejected it: " + e.getMessage();
        }
        if (jws.getPayload().getExpiration() == null) {
            return "it has no exp claim, so it never expires";
        }
        if (!jws.getPayload().containsKey(tokens.tenantClaim())) {
            return "it has no " + tokens.tenantClaim() + " claim";
        }
        return null;
    }
}
