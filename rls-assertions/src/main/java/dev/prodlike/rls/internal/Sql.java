package dev.prodlike.rls.internal;

/** Quoting of identifiers and literals for the SQL the audit runs and prints. */
final class Sql {

    private Sql() {
    }

    /** @return the identifier, double-quoted only when PostgreSQL needs it */
    static String ident(String name) {
        return plain(name) ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** @return whether the name matches {@code [a-z_][a-z0-9_$]*} (a loop: a regex here costs a first audit JIT time) */
    private static boolean plain(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && ((c >= '0' && c <= '9') || c == '$'));
            if (!ok) {
                return false;
            }
        }
        return true;
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
