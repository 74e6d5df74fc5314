package dev.prodlike.jwt.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Fresh key pairs, JWK rendering and RFC 7638 thumbprints with the JDK. Internal API.
 *
 * @since 0.1.0
 */
public final class Keys {

    private Keys() {}

    /**
     * @param alg RS*, PS* (2048-bit RSA) or ES256 (P-256)
     * @return a freshly generated key pair
     */
    public static KeyPair generate(String alg) {
        try {
            if (alg.startsWith("ES")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate a key pair for " + alg + ": " + e, e);
        }
    }

    /**
     * @return the public JWK members (kty, crv/n/e or x/y) in thumbprint order, without kid, use or alg
     */
    public static Map<String, Object> publicJwkMembers(PublicKey key) {
        Map<String, Object> m = new TreeMap<>();
        if (key instanceof RSAPublicKey) {
            RSAPublicKey rsa = (RSAPublicKey) key;
            m.put("e", Json.b64(unsigned(rsa.getPublicExponent(), 0)));
            m.put("kty", "RSA");
            m.put("n", Json.b64(unsigned(rsa.getModulus(), 0)));
        } else if (key instanceof ECPublicKey) {
            ECPublicKey ec = (ECPublicKey) key;
            int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            m.put("crv", "P-" + ec.getParams().getCurve().getField().getFieldSize());
            m.put("kty", "EC");
            m.put("x", Json.b64(unsigned(ec.getW().getAffineX(), size)));
            m.put("y", Json.b64(unsigned(ec.getW().getAffineY(), size)));
        } else {
            throw new IllegalArgumentException("Unsupported key type: " + key.getAlgorithm());
        }
        return m;
    }

    /** @return a complete public JWK with kid, use=sig and alg */
    public static Map<String, Object> publicJwk(String kid, String alg, PublicKey key) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        Map<String, Object> members = publicJwkMembers(key);
        jwk.put("kty", members.remove("kty"));
        jwk.put("kid", kid);
        jwk.put("use", "sig");
        jwk.put("alg", alg);
        jwk.putAll(members);
        return jwk;
    }

    /** @return the RFC 7638 SHA-256 thumbprint of the key, base64url */
    public static String thumbprint(PublicKey key) {
        try {
            byte[] json = Json.write(publicJwkMembers(key)).getBytes(StandardCharsets.UTF_8);
            return Json.b64(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the key as PEM ({@code -----BEGIN PUBLIC KEY-----}, 64-character lines, trailing newline) */
    public static String pem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    private static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (size > bytes.length) {
            byte[] padded = new byte[size];
            System.arraycopy(bytes, 0, padded, size - bytes.length, bytes.length);
            return padded;
        }
        return bytes;
    }
}
