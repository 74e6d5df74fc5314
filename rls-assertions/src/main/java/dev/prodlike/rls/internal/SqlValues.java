package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;

/**
 * Values written into the SQL the audit runs and prints. Identifiers are quoted by core's {@link Sql#ident}, and
 * relation names come from the server already quoted ({@code quote_ident}), so this holds only what core's helper
 * does not: NULL, and typed literals.
 */
final class SqlValues {

    private SqlValues() {}

    /** @return a standard-conforming string literal, or {@code NULL} */
    static String literal(String value) {
        return value == null ? "NULL" : Sql.literal(value);
    }

    /** @return {@code 'value'::type}, or {@code 'value'} when the type is text */
    static String typed(String value, String type) {
        if (value == null) {
            return "NULL";
        }
        return "text".equals(type) ? Sql.literal(value) : Sql.literal(value) + "::" + type;
    }
}
