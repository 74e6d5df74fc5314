package dev.prodlike.postgres.internal;

/** What became of a database its test returned (see {@link ReuseJudge}). */
public enum Verdict {
    /** Exactly as fresh: handed on as it is. */
    UNCHANGED,
    /** Its test only added rows to tables the template has empty: emptied again, then handed on. */
    RESET,
    /** Changed in a way a reset cannot undo: dropped. */
    CHANGED,
    /** Could not be told (a connection still open, an error): dropped, not counted as a writer. */
    UNDECIDED,
    /**
     * Not checked: the server hands no database on (not started by prodlike, or PostgreSQL 14), or the suite's
     * recent databases all changed and this one was not sampled; dropped.
     */
    NOT_CHECKED;

    /** @return whether the database goes to a later test */
    public boolean handOn() {
        return this == UNCHANGED || this == RESET;
    }
}
