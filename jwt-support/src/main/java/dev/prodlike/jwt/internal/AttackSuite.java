package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.Attack;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.jwt.TokenValidator;
import java.io.IOException;
import java.net.URI;
import java.security.KeyPair;
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

    /** Tenant signed into most attack tokens. */
    public static final String VICTIM_TENANT = Crafter.VICTIM_TENANT;
    /** Tenant an attacker actually holds a token for (tampering attack). */
    public static final String ATTACKER_TENANT = Crafter.ATTACKER_TENANT;
    /** Subject of attack tokens. */
    public static final String ATTACKER_SUBJECT = Crafter.ATTACKER_SUBJECT;
    /** Critical header extension no validator knows. */
    public static final String UNKNOWN_CRIT = Crafter.UNKNOWN_CRIT;
    /** Secret the SQL injection variant selects. */
    public static final String SQL_SECRET = Crafter.SQL_SECRET;
    /** Path of the attacker JWKS for the jku attack. */
    public static final String JKU_PATH = Crafter.JKU_PATH;
    /** Path of the attacker document for the x5u attack. */
    public static final String X5U_PATH = Crafter.X5U_PATH;

    private final TestTokens issuer;
    private final Set<Attack> allowed;

    private AttackSuite(TestTokens issuer, Set<Attack> allowed) {
        this.issuer = issuer;
        this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Attack.class) : EnumSet.copyOf(allowed);
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
}
