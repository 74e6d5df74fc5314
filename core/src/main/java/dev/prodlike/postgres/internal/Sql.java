package dev.prodlike.postgres.internal;

/** Quoting for the few statements that cannot take bind parameters. */
final class Sql {

    private Sql() {
    }

    /**
     * @param name an identifier
     * @return it double-quoted, inner quotes doubled
     */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * @param value a value
     * @return it single-quoted, inner quotes doubled
     */
    static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
