package dev.prodlike.jwt;

import dev.prodlike.jwt.internal.Json;
import dev.prodlike.jwt.internal.Jws;
import dev.prodlike.jwt.internal.Keys;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.ProtectedHeader;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Validators for the attack suite's tests: two correct ones and a hand-rolled one with one chosen hole. */
final class Validators {

    private Validators() {}

    /** Fetches a document over real HTTP. */
    static String get(URI uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** Parses a JWKS with jjwt into kid → key. */
    static Map<String, Key> keysFrom(String jwksJson) {
        JwkSet set = Jwks.setParser().build().parse(jwksJson);
        Map<String, Key> keys = new HashMap<>();
        for (Jwk<?> jwk : set.getKeys()) {
            keys.put(jwk.getId(), jwk.toKey());
        }
        return keys;
    }

    /**
     * A correct validator on jjwt, configured as a service would be: keys from the JWKS URL, algorithm allow-list,
     * issuer, audience, exp and tenant required, 60 s skew, the issuer's clock.
     */
    static TokenValidator jjwt(TestTokens tokens) throws Exception {
        Map<String, Key> keys = keysFrom(get(tokens.jwksUri()));
        JwtParser parser = Jwts.parser()
                .keyLocator(header -> {
                    ProtectedHeader h = (ProtectedHeader) header;
                    if (!tokens.algorithm().equals(h.getAlgorithm())) {
                        throw new SecurityException("algorithm " + h.getAlgorithm() + " is not allowed");
                    }
                    Key key = keys.get(h.getKeyId());
                    if (key == null) {
                        throw new SecurityException("unknown kid " + h.getKeyId());
                    }
                    return key;
                })
                .requireIssuer(tokens.issuer())
                .requireAudience(tokens.audience())
                .clock(() -> Date.from(tokens.clock().instant()))
                .clockSkewSeconds(60)
                .build();
        return token -> {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            if (claims.getExpiration() == null) {
                throw new SecurityException("exp is required");
            }
            if (claims.get(tokens.tenantClaim(), String.class) == null) {
                throw new SecurityException(tokens.tenantClaim() + " is required");
            }
        };
    }

    /** The one hole a deliberately vulnerable validator has. */
    enum Hole {
        ACCEPTS_ALG_NONE(Attack.ALG_NONE),
        NONE_CHECK_IS_CASE_SENSITIVE(Attack.ALG_NONE_CASE_VARIANTS),
        EMPTY_SIGNATURE_SKIPS_VERIFICATION(Attack.SIGNATURE_STRIPPED),
        NEVER_VERIFIES_SIGNATURE(
                Attack.SIGNATURE_STRIPPED,
                Attack.FOREIGN_KEY_SIGNATURE,
                Attack.EMBEDDED_JWK,
                Attack.JKU_ATTACKER_JWKS,
                Attack.X5U_ATTACKER_URL,
                Attack.TAMPERED_TENANT_CLAIM),
        HMAC_WITH_PUBLIC_KEY_PEM(Attack.HS256_WITH_PUBLIC_KEY),
        HMAC_WITH_PUBLIC_KEY_DER(Attack.HS256_WITH_PUBLIC_KEY),
        TRUSTS_EMBEDDED_JWK(Attack.EMBEDDED_JWK),
        FOLLOWS_JKU(Attack.JKU_ATTACKER_JWKS),
        FOLLOWS_X5U(Attack.X5U_ATTACKER_URL),
        KID_IS_A_FILE_PATH(Attack.KID_INJECTION),
        KID_IN_SQL(Attack.KID_INJECTION),
        UNKNOWN_KID_IS_EMPTY_SECRET(Attack.KID_INJECTION),
        IGNORES_CRIT(Attack.UNKNOWN_CRIT_HEADER),
        ALGORITHM_FROM_TOKEN(Attack.DISALLOWED_ALGORITHM),
        NO_EXPIRY_CHECK(Attack.EXPIRED),
        NO_NOT_BEFORE_CHECK(Attack.NOT_YET_VALID),
        EXP_OPTIONAL(Attack.MISSING_EXP),
        NO_ISSUER_CHECK(Attack.WRONG_ISSUER),
        ISSUER_PREFIX_CHECK(Attack.WRONG_ISSUER),
        NO_AUDIENCE_CHECK(Attack.WRONG_AUDIENCE),
        ISSUER_TRAILING_SLASH_IGNORED(Attack.WRONG_ISSUER),
        ISSUER_SCHEME_IGNORED(Attack.WRONG_ISSUER),
        ISSUER_CASE_INSENSITIVE(Attack.WRONG_ISSUER),
        AUDIENCE_STARTS_WITH(Attack.WRONG_AUDIENCE),
        AUDIENCE_ENDS_WITH(Attack.WRONG_AUDIENCE),
        AUDIENCE_CONTAINED(Attack.WRONG_AUDIENCE),
        AUDIENCE_CASE_INSENSITIVE(Attack.WRONG_AUDIENCE),
        AUDIENCE_TEXT_SEARCH(Attack.WRONG_AUDIENCE),
        TENANT_OPTIONAL(Attack.MISSING_TENANT_CLAIM),
        /** For ES256 issuers: ECDSA without the range check of r and s (CVE-2022-21449), simulated. */
        NO_ECDSA_RANGE_CHECK(Attack.PSYCHIC_SIGNATURE);

        final List<Attack> caughtBy;

        Hole(Attack... caughtBy) {
            this.caughtBy = List.of(caughtBy);
        }
    }

    /** A correct hand-rolled validator on java.security. */
    static TokenValidator handRolled(TestTokens tokens) {
        return new HandRolled(tokens, null);
    }

    /** A hand-rolled validator with exactly one hole. */
    static TokenValidator vulnerable(TestTokens tokens, Hole hole) {
        return new HandRolled(tokens, hole);
    }

    private static final class HandRolled implements TokenValidator {
        private static final Pattern SQL_UNION = Pattern.compile(".*' UNION SELECT '([^']*)'.*");
        private final TestTokens tokens;
        private final Hole hole;

        HandRolled(TestTokens tokens, Hole hole) {
            this.tokens = tokens;
            this.hole = hole;
        }

        @Override
        public void validate(String token) throws Exception {
            String[] parts = token.split("\\.", -1);
            if (parts.length != 3) {
                throw new SecurityException("not a compact JWS");
            }
            Map<String, Object> header = Json.readObject(new String(Json.unb64(parts[0]), StandardCharsets.UTF_8));
            Map<String, Object> claims = Json.readObject(new String(Json.unb64(parts[1]), StandardCharsets.UTF_8));
            byte[] signature = Json.unb64(parts[2]);
            byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            if (header.containsKey("crit") && hole != Hole.IGNORES_CRIT) {
                throw new SecurityException("unsupported crit " + header.get("crit"));
            }
            verifySignature(header, input, signature);
            verifyClaims(claims);
        }

        private void verifySignature(Map<String, Object> header, byte[] input, byte[] signature) throws Exception {
            String alg = String.valueOf(header.get("alg"));
            Object kid = header.get("kid");
            if (alg.equals("none")) {
                if (hole == Hole.ACCEPTS_ALG_NONE) {
                    return;
                }
                throw new SecurityException("alg none");
            }
            if (hole == Hole.NONE_CHECK_IS_CASE_SENSITIVE && alg.equalsIgnoreCase("none")) {
                return; // the library it hands the token to treats NONE as "no signature"
            }
            if (alg.startsWith("HS")) {
                byte[] secret = hmacSecret(kid);
                if (secret == null) {
                    throw new SecurityException("alg " + alg + " is not allowed");
                }
                if (!MessageDigest.isEqual(Jws.hmac(alg, secret).sign(input), signature)) {
                    throw new SecurityException("bad HMAC");
                }
                return;
            }
            boolean algorithmFromToken = hole == Hole.ALGORITHM_FROM_TOKEN && alg.matches("(RS|PS|ES)(256|384|512)");
            if (!alg.equals(tokens.algorithm()) && !algorithmFromToken) {
                throw new SecurityException("alg " + alg + " is not allowed");
            }
            if (hole == Hole.EMPTY_SIGNATURE_SKIPS_VERIFICATION && signature.length == 0) {
                return;
            }
            if (hole == Hole.NEVER_VERIFIES_SIGNATURE) {
                return;
            }
            PublicKey key = key(header, kid);
            if (hole == Hole.NO_ECDSA_RANGE_CHECK && alg.startsWith("ES") && allZero(signature)) {
                return; // what unpatched JDK 15-18 did for r = s = 0
            }
            if (!Jws.verify(alg, key, input, signature)) {
                throw new SecurityException("bad signature");
            }
        }

        private byte[] hmacSecret(Object kid) {
            PublicKey current = tokens.publicKeys().get(tokens.currentKeyId());
            switch (hole == null ? "" : hole.name()) {
                case "HMAC_WITH_PUBLIC_KEY_PEM":
                    return Keys.pem(current).getBytes(StandardCharsets.US_ASCII);
                case "HMAC_WITH_PUBLIC_KEY_DER":
                    return current.getEncoded();
                case "KID_IS_A_FILE_PATH": {
                    // the service reads "keys/<kid>"; only /dev/null exists outside keys/ in this fake file system
                    java.util.Deque<String> path = new java.util.ArrayDeque<>(List.of("srv", "keys"));
                    for (String segment : String.valueOf(kid).split("/")) {
                        if (segment.equals("..")) {
                            path.pollLast();
                        } else if (!segment.isEmpty() && !segment.equals(".")) {
                            path.addLast(segment);
                        }
                    }
                    return String.join("/", path).equals("dev/null") ? new byte[0] : null;
                }
                case "KID_IN_SQL": {
                    // SELECT secret FROM keys WHERE kid = '<kid>'; the table is empty, a UNION selects a literal
                    Matcher m = SQL_UNION.matcher(String.valueOf(kid));
                    return m.matches() ? m.group(1).getBytes(StandardCharsets.UTF_8) : null;
                }
                case "UNKNOWN_KID_IS_EMPTY_SECRET":
                    return Map.of("legacy-hs", "not-this-one")
                            .getOrDefault(String.valueOf(kid), "")
                            .getBytes(StandardCharsets.UTF_8);
                default:
                    return null;
            }
        }

        private PublicKey key(Map<String, Object> header, Object kid) throws Exception {
            if (hole == Hole.TRUSTS_EMBEDDED_JWK && header.get("jwk") != null) {
                return (PublicKey) Jwks.parser()
                        .build()
                        .parse(Json.write(header.get("jwk")))
                        .toKey();
            }
            if (hole == Hole.FOLLOWS_JKU && header.get("jku") != null) {
                return (PublicKey)
                        keysFrom(get(URI.create(header.get("jku").toString()))).get(kid);
            }
            if (hole == Hole.FOLLOWS_X5U && header.get("x5u") != null) {
                return (PublicKey)
                        keysFrom(get(URI.create(header.get("x5u").toString()))).get(kid);
            }
            PublicKey key = tokens.publicKeys().get(String.valueOf(kid));
            if (key == null) {
                throw new SecurityException("unknown kid " + kid);
            }
            return key;
        }

        private void verifyClaims(Map<String, Object> claims) {
            Instant now = tokens.clock().instant();
            long skew = 60;
            Object exp = claims.get("exp");
            if (exp == null && hole != Hole.EXP_OPTIONAL) {
                throw new SecurityException("exp is required");
            }
            if (exp != null
                    && hole != Hole.NO_EXPIRY_CHECK
                    && now.getEpochSecond() > ((Number) exp).longValue() + skew) {
                throw new SecurityException("expired");
            }
            Object nbf = claims.get("nbf");
            if (nbf != null
                    && hole != Hole.NO_NOT_BEFORE_CHECK
                    && now.getEpochSecond() + skew < ((Number) nbf).longValue()) {
                throw new SecurityException("not yet valid");
            }
            String iss = String.valueOf(claims.get("iss"));
            if (!issuerMatches(iss, tokens.issuer())) {
                throw new SecurityException("wrong issuer " + iss);
            }
            Object aud = claims.get("aud");
            List<?> audiences = aud instanceof List ? (List<?>) aud : List.of(String.valueOf(aud));
            boolean audienceOk = hole == Hole.AUDIENCE_TEXT_SEARCH
                    ? String.valueOf(aud).contains(tokens.audience())
                    : audiences.stream().anyMatch(a -> audienceMatches(String.valueOf(a), tokens.audience()));
            if (!audienceOk && hole != Hole.NO_AUDIENCE_CHECK) {
                throw new SecurityException("wrong audience " + aud);
            }
            if (!(claims.get(tokens.tenantClaim()) instanceof String) && hole != Hole.TENANT_OPTIONAL) {
                throw new SecurityException("no tenant");
            }
        }

        /** The issuer comparison, with the hole's loose variant of it. */
        private boolean issuerMatches(String iss, String expected) {
            switch (hole == null ? "" : hole.name()) {
                case "NO_ISSUER_CHECK":
                    return true;
                case "ISSUER_PREFIX_CHECK":
                    return iss.startsWith(expected);
                case "ISSUER_TRAILING_SLASH_IGNORED":
                    return iss.replaceAll("/+$", "").equals(expected.replaceAll("/+$", ""));
                case "ISSUER_SCHEME_IGNORED":
                    return iss.replaceFirst("^[a-z]+://", "").equals(expected.replaceFirst("^[a-z]+://", ""));
                case "ISSUER_CASE_INSENSITIVE":
                    return iss.equalsIgnoreCase(expected);
                default:
                    return iss.equals(expected);
            }
        }

        /** The audience comparison of one value, with the hole's loose variant of it. */
        private boolean audienceMatches(String aud, String expected) {
            switch (hole == null ? "" : hole.name()) {
                case "AUDIENCE_STARTS_WITH":
                    return expected.startsWith(aud);
                case "AUDIENCE_ENDS_WITH":
                    return expected.endsWith(aud);
                case "AUDIENCE_CONTAINED":
                    return expected.contains(aud);
                case "AUDIENCE_CASE_INSENSITIVE":
                    return aud.equalsIgnoreCase(expected);
                default:
                    return aud.equals(expected);
            }
        }

        private static boolean allZero(byte[] bytes) {
            for (byte b : bytes) {
                if (b != 0) {
                    return false;
                }
            }
            return bytes.length > 0;
        }

        @Override
        public String toString() {
            return hole == null ? "correct hand-rolled validator" : "validator with hole " + hole;
        }
    }
}
