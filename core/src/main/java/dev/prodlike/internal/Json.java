package dev.prodlike.internal;

import java.util.Collection;
import java.util.Map;

/** Writes maps, lists, strings, numbers and booleans as indented JSON; enough for the environment report. */
public final class Json {

    private Json() {}

    /**
     * @param value a Map, Collection, CharSequence, Number, Boolean or null
     * @return the JSON text
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object value, int indent) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                indent(sb, indent + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            indent(sb, indent);
            sb.append('}');
        } else if (value instanceof Collection<?> list) {
            if (list.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            int i = 0;
            for (Object item : list) {
                indent(sb, indent + 1);
                write(sb, item, indent + 1);
                sb.append(++i < list.size() ? ",\n" : "\n");
            }
            indent(sb, indent);
            sb.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            double d = value instanceof Number n ? n.doubleValue() : 0;
            sb.append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : value.toString());
        } else {
            string(sb, value.toString());
        }
    }

    private static void indent(StringBuilder sb, int n) {
        sb.append("  ".repeat(n));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
