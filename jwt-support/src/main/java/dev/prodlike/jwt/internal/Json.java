package dev.prodlike.jwt.internal;

import io.jsonwebtoken.io.Deserializer;
import io.jsonwebtoken.io.Serializer;
import io.jsonwebtoken.jackson.io.JacksonDeserializer;
import io.jsonwebtoken.jackson.io.JacksonSerializer;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON and base64url helpers over jjwt's Jackson (de)serializer. Internal API.
 *
 * @since 0.1.0
 */
public final class Json {

    private static final Serializer<Object> SERIALIZER = new JacksonSerializer<>();
    private static final Deserializer<Object> DESERIALIZER = new JacksonDeserializer<>();

    private Json() {
    }

    /**
     * @param value maps, lists, strings, numbers, booleans
     * @return compact JSON, keys in insertion order
     */
    public static String write(Object value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        SERIALIZER.serialize(value, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param json JSON text
     * @return maps (insertion ordered), lists, strings, numbers, booleans
     * @throws IllegalArgumentException when the text is not JSON
     */
    public static Object read(String json) {
        try {
            return DESERIALIZER.deserialize(new java.io.StringReader(json));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * @param json JSON text of an object
     * @return the object as a mutable, insertion-ordered map
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String json) {
        Object value = read(json);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + json);
        }
        return new LinkedHashMap<>((Map<String, Object>) value);
    }

    /** Round-trips a value through JSON so that it compares equal to what a token decodes to. */
    public static Object normalize(Object value) {
        return value == null ? null : read(write(value));
    }

    /** @return unpadded base64url of the bytes */
    public static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @return unpadded base64url of the JSON of the value */
    public static String b64Json(Object value) {
        return b64(write(value).getBytes(StandardCharsets.UTF_8));
    }

    /** @return decoded base64url (padding optional) */
    public static byte[] unb64(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}
