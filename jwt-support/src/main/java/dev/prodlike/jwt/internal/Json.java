package dev.prodlike.jwt.internal;

import io.jsonwebtoken.io.AbstractDeserializer;
import io.jsonwebtoken.io.AbstractSerializer;
import java.io.OutputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON and base64url helpers, and the JSON jjwt reads and writes tokens with ({@link #SERIALIZER},
 * {@link #DESERIALIZER}). Written here rather than taken from Jackson: a test library that brings Jackson decides the
 * Jackson version of every consumer (jackson-annotations is shared by Jackson 2 and 3), which broke consumers whose
 * Flyway 12 needs a newer one. Token JSON is small and plain: objects, arrays, strings, numbers, booleans, null.
 * Internal API.
 *
 * @since 0.1.0
 */
public final class Json {

    /** For {@code Jwts.builder().json(...)}: dates as seconds since the epoch, as JWT numeric dates are. */
    public static final AbstractSerializer<Map<String, ?>> SERIALIZER = new AbstractSerializer<>() {
        @Override
        protected void doSerialize(Map<String, ?> value, OutputStream out) throws Exception {
            out.write(write(value).getBytes(StandardCharsets.UTF_8));
        }
    };

    /** For {@code Jwts.parser().json(...)}. */
    public static final AbstractDeserializer<Map<String, ?>> DESERIALIZER = new AbstractDeserializer<>() {
        @Override
        protected Map<String, ?> doDeserialize(Reader reader) throws Exception {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[4096];
            for (int n; (n = reader.read(buffer)) != -1; ) {
                text.append(buffer, 0, n);
            }
            return readObject(text.toString());
        }
    };

    private Json() {}

    /**
     * @param value maps, lists, arrays, strings, numbers, booleans, dates (as epoch seconds); anything else as its
     *              string
     * @return compact JSON, keys in insertion order
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                string(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            array(out, list);
        } else if (value instanceof Object[] array) {
            array(out, List.of(array));
        } else if (value instanceof Boolean
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Number number) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("not representable in JSON: " + number);
            }
            out.append(number instanceof BigDecimal big ? big.toString() : Double.toString(d));
        } else if (value instanceof Date date) {
            out.append(date.getTime() / 1000);
        } else {
            string(out, value.toString());
        }
    }

    private static void array(StringBuilder out, Collection<?> list) {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            out.append(first ? "" : ",");
            first = false;
            write(out, item);
        }
        out.append(']');
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * @param json JSON text
     * @return maps (insertion ordered), lists, strings, numbers (Integer, Long, BigInteger or Double), booleans
     * @throws IllegalArgumentException when the text is not JSON
     */
    public static Object read(String json) {
        Reading r = new Reading(json);
        Object value = r.value();
        r.skipSpace();
        if (r.at < json.length()) {
            throw r.error("text after the value");
        }
        return value;
    }

    /** A parse of one text: where it is, and what it has read. */
    private static final class Reading {
        private final String text;
        private int at;

        Reading(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            if (at >= text.length()) {
                throw error("end of text where a value should be");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected '" + c + "'");
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("a member name should be a string");
                }
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skipSpace();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                char c = next();
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case '"', '\\', '/' -> out.append(e);
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            if (at + 4 > text.length()) {
                                throw error("short \\u escape");
                            }
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> throw error("bad escape \\" + e);
                    }
                } else if (c < 0x20) {
                    throw error("control character in a string");
                } else {
                    out.append(c);
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String n = text.substring(start, at);
            try {
                if (n.matches("-?\\d+")) {
                    BigInteger big = new BigInteger(n);
                    if (big.bitLength() < 32) {
                        return big.intValue();
                    }
                    return big.bitLength() < 64 ? (Object) big.longValue() : big;
                }
                return Double.parseDouble(n);
            } catch (NumberFormatException e) {
                throw error("bad number " + n);
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw error("unexpected text");
            }
            at += word.length();
            return value;
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private char next() {
            if (at >= text.length()) {
                throw error("unexpected end of text");
            }
            return text.charAt(at++);
        }

        private void expect(char c) {
            if (next() != c) {
                at--;
                throw error("expected '" + c + "'");
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not JSON: " + what + " at offset " + at);
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
