package dev.prodlike.rls.internal;

import java.util.regex.Pattern;

/** Quoting of identifiers and literals for the SQL the audit runs and prints. */
final class Sql {

    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Sql() {
    }

    /** @return the identifier, double-quoted only when PostgreSQL needs it */
    static String ident(String name) {
        return PLAIN.matcher(name).matches() ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** @return {@code schema.name}, each part quoted when needed */
    static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    /** @return a standard-conforming string literal */
    static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }

    /** @return {@code 'value'::type}, or {@code 'value'} when the type is text */
    static String typed(String value, String type) {
        if (value == null) {
            return "NULL";
        }
        return "text".equals(type) ? literal(value) : literal(value) + "::" + type;
    }
}
