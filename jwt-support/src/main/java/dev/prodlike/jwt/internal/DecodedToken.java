package dev.prodlike.jwt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A compact JWS split and decoded without verifying anything, for assertions and failure messages. Internal API.
 *
 * @since 0.1.0
 */
public final class DecodedToken {

    private final String raw;
    private final Map<String, Object> header;
    private final Map<String, Object> claims;
    private final byte[] signature;
    private final String signingInput;

    private DecodedToken(
            String raw, Map<String, Object> header, Map<String, Object> claims, byte[] signature, String signingInput) {
        this.raw = raw;
        this.header = Collections.unmodifiableMap(header);
        this.claims = Collections.unmodifiableMap(claims);
        this.signature = signature;
        this.signingInput = signingInput;
    }

    /**
     * @param token a compact JWS, {@code header.payload.signature}
     * @return the decoded parts
     * @throws IllegalArgumentException naming what is malformed
     */
    public static DecodedToken decode(String token) {
        if (token == null) {
            throw new IllegalArgumentException("the token is null");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a compact JWS has 3 dot-separated parts (header.payload.signature) but "
                    + "this has " + parts.length);
        }
        Map<String, Object> header = part("header", parts[0]);
        Map<String, Object> claims = part("payload", parts[1]);
        byte[] signature;
        try {
            signature = Json.unb64(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the signature is not base64url: " + e.getMessage(), e);
        }
        return new DecodedToken(token, header, claims, signature, parts[0] + "." + parts[1]);
    }

    private static Map<String, Object> part(String name, String text) {
        String json;
        try {
            json = new String(Json.unb64(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + name + " is not base64url: " + e.getMessage(), e);
        }
        try {
            return Json.readObject(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + name + " is not a JSON object: " + json, e);
        }
    }

    /** @return the token as given */
    public String raw() {
        return raw;
    }

    /** @return the decoded JOSE header */
    public Map<String, Object> header() {
        return header;
    }

    /** @return the decoded claims */
    public Map<String, Object> claims() {
        return claims;
    }

    /** @return the decoded signature bytes */
    public byte[] signature() {
        return signature.clone();
    }

    /** @return {@code header.payload} as ASCII, the bytes the signature covers */
    public byte[] signingInput() {
        return signingInput.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the {@code alg} header, or null */
    public String algorithm() {
        Object alg = header.get("alg");
        return alg == null ? null : alg.toString();
    }

    /** @return a NumericDate claim (exp, nbf, iat) as an instant, or null when absent or not a number */
    public Instant time(String claim) {
        Object v = claims.get(claim);
        return v instanceof Number ? Instant.ofEpochSecond(((Number) v).longValue()) : null;
    }

    /**
     * @param indent put before every line
     * @return the header, claims, readable times and signature size, one per line, for failure messages
     */
    public String describe(String indent) {
        StringBuilder sb = new StringBuilder();
        sb.append(indent).append("header:    ").append(Json.write(header)).append('\n');
        sb.append(indent).append("claims:    ").append(Json.write(claims)).append('\n');
        List<String> times = new ArrayList<>();
        for (String c : List.of("iat", "nbf", "exp")) {
            Instant t = time(c);
            if (t != null) {
                times.add(c + " " + t);
            }
        }
        if (!times.isEmpty()) {
            sb.append(indent)
                    .append("times:     ")
                    .append(String.join(", ", times))
                    .append('\n');
        }
        sb.append(indent).append("signature: ").append(signature.length == 0 ? "(empty)" : signature.length + " bytes");
        return sb.toString();
    }
}
