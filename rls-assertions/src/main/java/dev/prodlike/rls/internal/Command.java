package dev.prodlike.rls.internal;

/** A policy's command: the letter {@code pg_policy.polcmd} stores and the name SQL uses. */
enum Command {
    SELECT('r'),
    INSERT('a'),
    UPDATE('w'),
    DELETE('d'),
    ALL('*');

    private final char letter;

    Command(char letter) {
        this.letter = letter;
    }

    /** @return the command stored as {@code letter} in {@code pg_policy.polcmd} */
    static Command of(char letter) {
        for (Command c : values()) {
            if (c.letter == letter) {
                return c;
            }
        }
        throw new IllegalArgumentException("pg_policy.polcmd '" + letter + "' is none of r, a, w, d, *");
    }

    /** @return whether a policy for this command applies to statements of {@code cmd} */
    boolean covers(Command cmd) {
        return this == ALL || this == cmd;
    }
}
