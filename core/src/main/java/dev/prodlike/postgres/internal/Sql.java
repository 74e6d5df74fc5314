package dev.prodlike.postgres.internal;

/**
 * Quoting for statements that cannot take bind parameters: the one helper of every module, so that an identifier is
 * quoted the same way wherever prodlike writes SQL. Identifiers are always double-quoted: a rule that quotes "only
 * when needed" has to know every reserved word of every server version, and quoting always is never wrong.
 */
public final class Sql {

    private Sql() {}

    /**
     * @param name an identifier
     * @return it double-quoted, inner quotes doubled
     */
    public static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * @param value a value
     * @return it single-quoted, inner quotes doubled
     */
    public static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
