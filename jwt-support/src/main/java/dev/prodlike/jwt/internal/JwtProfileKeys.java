package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.JwtKeys;
import dev.prodlike.spi.ProfileKeys;
import dev.prodlike.spi.ValueCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Declares {@link JwtKeys} to core's profile validation (registered in META-INF/services). */
public final class JwtProfileKeys implements ProfileKeys {

    @Override
    public Map<String, ValueCheck> keys() {
        Map<String, ValueCheck> keys = new LinkedHashMap<>();
        keys.put(JwtKeys.ISSUER, ValueCheck.notBlank("must not be blank"));
        keys.put(JwtKeys.AUDIENCE, ValueCheck.notBlank("must not be blank"));
        keys.put(
                JwtKeys.ALGORITHM,
                v -> List.of("RS256", "ES256", "PS256").contains(v) ? null : "must be one of RS256, ES256, PS256");
        keys.put(JwtKeys.TENANT_CLAIM, ValueCheck.notBlank("must not be blank"));
        keys.put(JwtKeys.TOKEN_LIFETIME, ValueCheck.duration());
        return keys;
    }
}
