package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.Attack;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenValidator;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Crafts a real token for every {@link Attack}, runs a {@link TokenValidator} against them and reports what it
 * accepted. Attack tokens are hand-assembled with the JDK's crypto so every header and claim byte is under control
 * (jjwt refuses to build most of them). Internal API.
 *
 * @since 0.1.0
 */
public final class AttackSuite {

    /** Tenant signed into most attack tokens: {@value}. */
    public static final String VICTIM_TENANT = "victim-tenant";
    /** Tenant an attacker actually holds a token for (tampering attack): {@value}. */
    public static final String ATTACKER_TENANT = "attacker-tenant";
    /** Subject of attack tokens: {@value}. */
    public static final String ATTACKER_SUBJECT = "attacker";
    /** Critical header extension no validator knows: {@value}. */
    public static final String UNKNOWN_CRIT = "x-prodlike-unknown";
    /** Secret the SQL injection variant selects: {@value}. */
    public static final String SQL_SECRET = "prodlike-attacker-secret";
    /** Path of the attacker JWKS for the jku attack: {@value}. */
    public static final String JKU_PATH = "/jku/jwks.json";
    /** Path of the attacker document for the x5u attack: {@value}. */
    public static final String X5U_PATH = "/x5u/jwks.json";

    private final TestTokens issuer;
    private final Set<Attack> allowed;

    private AttackSuite(TestTokens issuer, Set<Attack> allowed) {
        this.issuer = issuer;
        this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Attack.class) : EnumSet.copyOf(allowed);
    }

    /** One crafted token of an attack. */
    public static final class Variant {
        final Attack attack;
        final String name;
        final String token;

        Variant(Attack attack, String name, String token) {
            this.attack = attack;
            this.name = name;
            this.token = token;
        }
    }

    /** What the validator did wrong with one attack. */
    public static final class Finding {
        private final Attack attack;
        private final List<String> accepted = new ArrayList<>();
        private final List<DecodedToken> acceptedTokens = new ArrayList<>();
        private URI fetchUri;
        private int fetches;

        Finding(Attack attack) {
            this.attack = attack;
        }

        /** @return the attack */
        public Attack attack() {
            return attack;
        }

        /** @return names of the variants the validator accepted */
        public List<String> acceptedVariants() {
            return Collections.unmodifiableList(accepted);
        }

        /** @return how often the validator fetched the attacker URL */
        public int fetches() {
            return fetches;
        }
    }

    /** The outcome of a run. */
    public static final class Result {
        private final List<Finding> findings = new ArrayList<>();
        private final List<Attack> rejected = new ArrayList<>();
        private final Map<Attack, String> notApplicable = new LinkedHashMap<>();
        private final Set<Attack> allowed;

        Result(Set<Attack> allowed) {
            this.allowed = allowed;
        }

        /** @return attacks the validator accepted or whose attacker URL it fetched */
        public List<Finding> findings() {
            return Collections.unmodifiableList(findings);
        }

        /** @return the attacks of the findings */
        public Set<Attack> failedAttacks() {
            return findings.stream()
                    .map(Finding::attack)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(Attack.class)));
        }

        /** @return attacks rejected as expected */
        public List<Attack> rejected() {
            return Collections.unmodifiableList(rejected);
        }

        /** @return attacks that do not apply to the issuer's algorithm, with why */
        public Map<Attack, String> notApplicable() {
            return Collections.unmodifiableMap(notApplicable);
        }

        /** @return attacks relaxed explicitly and not run */
        public Set<Attack> allowed() {
            return allowed;
        }

        /** @return number of attacks that ran */
        public int ran() {
            return findings.size() + rejected.size();
        }
    }

    /**
     * Runs every attack not in {@code allowed}.
     *
     * @param validator the validator under attack
     * @param issuer    the issuer whose keys and settings the validator trusts
     * @param allowed   attacks relaxed explicitly
     * @return the findings
     */
    public static Result run(TokenValidator validator, TestTokens issuer, Set<Attack> allowed) {
        return new AttackSuite(issuer, allowed).run(validator);
    }

    /**
     * @param validator the validator
     * @param token     the token
     * @return null when accepted, else the exception that rejected it
     */
    public static Throwable outcome(TokenValidator validator, String token) {
        try {
            validator.validate(token);
            return null;
        } catch (Exception | AssertionError e) {
            return e;
        }
    }

    private Result run(TokenValidator validator) {
        Result result = new Result(Collections.unmodifiableSet(allowed));
        KeyPair attacker = Keys.generate(issuer.algorithm());
        String attackerKid = "attacker-" + Keys.thumbprint(attacker.getPublic()).substring(0, 8);
        Map<String, Supplier<String>> documents = new LinkedHashMap<>();
        Supplier<String> attackerJwks = () -> Json.write(
                Map.of("keys", List.of(Keys.publicJwk(attackerKid, issuer.algorithm(), attacker.getPublic()))));
        documents.put(JKU_PATH, attackerJwks);
        documents.put(X5U_PATH, attackerJwks);
        try (LocalHttpServer attackerServer = LocalHttpServer.start("attacker-jwks", documents)) {
            Crafter crafter = new Crafter(issuer, attacker, attackerKid, attackerServer);
            for (Attack attack : Attack.values()) {
                if (allowed.contains(attack)) {
                    continue;
                }
                String notApplicable = crafter.notApplicable(attack);
                if (notApplicable != null) {
                    result.notApplicable.put(attack, notApplicable);
                    continue;
                }
                String fetchPath = attack == Attack.JKU_ATTACKER_JWKS
                        ? JKU_PATH
                        : attack == Attack.X5U_ATTACKER_URL ? X5U_PATH : null;
                int before = fetchPath == null ? 0 : attackerServer.hits(fetchPath);
                Finding finding = new Finding(attack);
                for (Variant v : crafter.craft(attack)) {
                    if (outcome(validator, v.token) == null) {
                        finding.accepted.add(v.name);
                        finding.acceptedTokens.add(DecodedToken.decode(v.token));
                    }
                }
                if (fetchPath != null) {
                    finding.fetchUri = attackerServer.uri(fetchPath);
                    finding.fetches = attackerServer.hits(fetchPath) - before;
                }
                if (finding.accepted.isEmpty() && finding.fetches == 0) {
                    result.rejected.add(attack);
                } else {
                    result.findings.add(finding);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the attacker JWKS server on 127.0.0.1: " + e, e);
        }
        return result;
    }

    /**
     * Renders the failure message for findings.
     *
     * @param result   a run with findings
     * @param issuer   the issuer attacked
     * @return AssertJ-style "Expecting ... but ..." text with every finding's token decoded
     */
    public static String describe(Result result, TestTokens issuer) {
        StringBuilder sb = new StringBuilder();
        sb.append("\nExpecting validator to reject every known JWT attack on issuer ")
                .append(issuer.issuer())
                .append(" (")
                .append(issuer.algorithm())
                .append(", audience ")
                .append(issuer.audience())
                .append(", tenant claim ")
                .append(issuer.tenantClaim())
                .append(")\nbut it accepted ")
                .append(result.findings.size())
                .append(" of ")
                .append(result.ran())
                .append(" attacks:\n");
        int i = 1;
        for (Finding f : result.findings) {
            Attack a = f.attack;
            sb.append('\n')
                    .append(i++)
                    .append(") ")
                    .append(a.name())
                    .append(": ")
                    .append(a.token())
                    .append('\n');
            for (int v = 0; v < f.accepted.size(); v++) {
                sb.append("   accepted ")
                        .append(f.accepted.get(v))
                        .append(":\n")
                        .append(f.acceptedTokens.get(v).describe("     "))
                        .append('\n');
            }
            if (f.fetchUri != null) {
                if (f.fetches > 0) {
                    sb.append("   fetched the attacker's URL ")
                            .append(f.fetchUri)
                            .append(' ')
                            .append(f.fetches)
                            .append(f.fetches == 1 ? " time" : " times")
                            .append(
                                    f.accepted.isEmpty()
                                            ? " (then rejected the token, but a validator that fetches "
                                                    + "URLs named by a token is open to server-side request forgery)"
                                            : "")
                            .append('\n');
                } else {
                    sb.append("   did not fetch the attacker's URL ")
                            .append(f.fetchUri)
                            .append('\n');
                }
            }
            sb.append("   why it is dangerous: ").append(a.danger()).append('\n');
            if (a.isPolicy()) {
                sb.append("   if accepting it is deliberate policy, relax it explicitly: .allowing(Attack.")
                        .append(a.name())
                        .append(")\n");
            }
        }
        sb.append("\nRejected as expected: ").append(names(result.rejected));
        if (!result.notApplicable.isEmpty()) {
            sb.append("\nNot applicable: ");
            sb.append(result.notApplicable.entrySet().stream()
                    .map(e -> e.getKey().name() + " (" + e.getValue() + ")")
                    .collect(Collectors.joining(", ")));
        }
        if (!result.allowed.isEmpty()) {
            sb.append("\nAllowed explicitly: ").append(names(result.allowed));
        }
        return sb.toString();
    }

    private static String names(Collection<Attack> attacks) {
        return attacks.isEmpty() ? "none" : attacks.stream().map(Attack::name).collect(Collectors.joining(", "));
    }

    /** Builds the tokens. */
    private static final class Crafter {
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
                    out.add(new Variant(
                            attack, "signature removed", genuine.substring(0, genuine.lastIndexOf('.') + 1)));
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
                            attack,
                            "HMAC secret = public key PEM",
                            hmac(kid, pem.getBytes(StandardCharsets.US_ASCII))));
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
                            hmac(
                                    "x' UNION SELECT '" + SQL_SECRET + "' -- ",
                                    SQL_SECRET.getBytes(StandardCharsets.UTF_8))));
                    out.add(new Variant(
                            attack, "unknown kid, empty HMAC key", hmac("prodlike-no-such-key", new byte[0])));
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
                            now.plusSeconds(60 * 60)
                                    .plus(issuer.tokenLifetime())
                                    .getEpochSecond());
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
}
