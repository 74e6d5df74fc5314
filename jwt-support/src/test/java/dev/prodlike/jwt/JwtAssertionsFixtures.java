package dev.prodlike.jwt;

import dev.prodlike.jwt.internal.Jws;
import dev.prodlike.jwt.internal.Keys;
import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tokens from outside any {@link TestTokens} issuer. */
final class JwtAssertionsFixtures {

    private JwtAssertionsFixtures() {}

    static String foreignToken() {
        KeyPair pair = Keys.generate("RS256");
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("kid", "foreign");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://auth.example.test");
        claims.put("aud", "orders-api");
        claims.put("tenant_id", "acme");
        claims.put("exp", Instant.now().plusSeconds(600).getEpochSecond());
        return Jws.assemble(header, claims, Jws.asymmetric("RS256", pair.getPrivate()));
    }
}
