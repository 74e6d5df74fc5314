package dev.prodlike.jwt.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand assembly of JWS compact tokens with the JDK's own crypto, for tokens jjwt (rightly) refuses to build, and
 * signature verification for the same algorithms. Internal API.
 *
 * @since 0.1.0
 */
public final class Jws {

    private Jws() {}

    /** Signs {@code b64(header).b64(claims)} with {@code signer} and returns the compact token. */
    public static String assemble(Map<String, ?> header, Map<String, ?> claims, Signer signer) {
        String input = Json.b64Json(header) + "." + Json.b64Json(claims);
        byte[] signature = signer.sign(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Json.b64(signature);
    }

    /** Produces signature bytes for a signing input. */
    @FunctionalInterface
    public interface Signer {
        /**
         * @param input the ASCII signing input
         * @return the signature (may be empty)
         */
        byte[] sign(byte[] input);
    }

    /** @return a signer for an asymmetric JWS algorithm (RS*, PS*, ES*) with the private key */
    public static Signer asymmetric(String alg, PrivateKey key) {
        return input -> {
            try {
                Signature s = signature(alg);
                s.initSign(key);
                s.update(input);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot sign with " + alg + ": " + e, e);
            }
        };
    }

    /**
     * @return a signer computing HMAC with the raw key bytes; an empty key is padded like HMAC pads it
     *         (so it equals a key of one zero byte, which the JDK accepts)
     */
    public static Signer hmac(String alg, byte[] key) {
        return input -> {
            try {
                String jca = "Hmac" + sha(alg);
                Mac mac = Mac.getInstance(jca);
                mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jca));
                return mac.doFinal(input);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot compute " + alg + ": " + e, e);
            }
        };
    }

    /**
     * Verifies a JWS signature with the JDK.
     *
     * @return whether the signature is valid for the key
     * @throws GeneralSecurityException when the algorithm and key do not fit
     */
    public static boolean verify(String alg, PublicKey key, byte[] input, byte[] signature)
            throws GeneralSecurityException {
        Signature s = signature(alg);
        s.initVerify(key);
        s.update(input);
        return s.verify(signature);
    }

    /**
     * @param alg RS256..RS512, PS256..PS512, ES256..ES512
     * @return a JCA Signature configured for the JWS algorithm
     * @throws GeneralSecurityException when the algorithm is not one of those
     */
    public static Signature signature(String alg) throws GeneralSecurityException {
        String sha = sha(alg);
        switch (alg.substring(0, 2)) {
            case "RS":
                return Signature.getInstance(sha + "withRSA");
            case "PS": {
                Signature s = Signature.getInstance("RSASSA-PSS");
                String digest = "SHA-" + alg.substring(2);
                MGF1ParameterSpec mgf = new MGF1ParameterSpec(digest);
                s.setParameter(new PSSParameterSpec(digest, "MGF1", mgf, Integer.parseInt(alg.substring(2)) / 8, 1));
                return s;
            }
            case "ES":
                return Signature.getInstance(sha + "withECDSAinP1363Format");
            default:
                throw new GeneralSecurityException("Not an asymmetric JWS algorithm: " + alg);
        }
    }

    private static String sha(String alg) {
        String bits = alg.length() == 5 ? alg.substring(2) : "";
        if (!bits.equals("256") && !bits.equals("384") && !bits.equals("512")) {
            throw new IllegalArgumentException("Unknown JWS algorithm: " + alg);
        }
        return "SHA" + bits;
    }
}
