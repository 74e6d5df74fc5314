package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a returned database is still exactly what a fresh clone of the template is, or can be made so by
 * emptying what its test added ({@link DatabaseReset}), so it can serve the next test instead of being dropped and
 * copied again (the IntegreSQL idea). It owns what the decision compares with: each clone's baseline and
 * pg_database row version when fresh, and the template's facts.
 *
 * <p>Only on servers prodlike started, PostgreSQL 15 or later (whose cumulative statistics are flushed when a
 * backend exits; 14 sends them to a collector that may drop them), and only when the server counts writes
 * ({@code track_counts} on). Proven, not guessed; any doubt answers no:
 * <ul>
 * <li>no connection to it is left (a pool the application still holds makes it "changed"),</li>
 * <li>its statistics count no inserted, updated or deleted row since it was last known fresh, in any table,
 *     catalogs included, so no DML and no DDL, committed or not (aborted writes count too), and were never reset;
 *     or else every row written went into a table that is empty in the template,</li>
 * <li>its row in pg_database is the same row version (no ALTER DATABASE, GRANT, rename, outage fault), with no
 *     per-database settings, comment or security label,</li>
 * <li>no sequence was read since (nextval and setval write no rows, but read the sequence's block, which its
 *     statistics count), or those that were have the template's state or are set back to it, and no table was
 *     vacuumed or analysed (both rewrite planner statistics in place).</li>
 * </ul>
 */
final class ReuseJudge {

    /** How long a check waits for the test's backends to leave (a backend still exiting has not flushed). */
    private static final long LEAVE_TIMEOUT_MS = 250;

    private final PgServer server;
    private final AdminConnections admins;
    private final CloneStatistics statistics;
    /** Whether returned databases may be handed out again at all (see the class comment). */
    private final boolean enabled;
    /** pg_database row version of each clone when it was fresh. */
    private final Map<String, String> freshXmin = new ConcurrentHashMap<>();
    /** Each clone's statistics when it was last known to equal the template (zero for a new clone). */
    private final Map<String, Baseline> baselines = new ConcurrentHashMap<>();
    /** Whether the template was inspected and the server counts writes: no database is handed on before. */
    private volatile boolean inspected;
    /** What the template holds that a reset needs; null until read (no reset before). */
    private volatile TemplateFacts facts;
    /** The owner session kept in each database ({@link DatabaseState#CHECK_SESSION}); one check at a time uses it. */
    private final Map<String, Connection> sessions = new ConcurrentHashMap<>();

    private volatile boolean closed;

    ReuseJudge(PgServer server, int majorVersion, AdminConnections admins, CloneStatistics statistics) {
        this.server = server;
        this.admins = admins;
        this.statistics = statistics;
        this.enabled = server.provisioned() && majorVersion >= 15;
    }

    /** @return whether returned databases may be handed on on this server */
    boolean enabled() {
        return enabled;
    }

    /**
     * Reads, on a connection to the template, what the judge compares with: the template's facts (a failure only
     * means databases are handed on unchanged, never reset) and whether the server counts writes at all (a declared
     * {@code track_counts=off} keeps every statistic at zero, so no database is handed on).
     */
    void inspectTemplate(Statement template) throws SQLException {
        try {
            facts = TemplateFacts.read(template);
        } catch (SQLException e) {
            facts = null;
        }
        try (ResultSet rs = template.executeQuery("SELECT pg_catalog.current_setting('track_counts')")) {
            inspected = rs.next() && "on".equals(rs.getString(1));
        }
    }

    /** Notes the pg_database row version of a fresh clone, against which {@link #judge} compares. */
    void rememberFresh(String name) {
        if (!enabled) {
            return;
        }
        try {
            String xmin = admins.queryText("SELECT xmin::text FROM pg_database WHERE datname = ?", name);
            if (xmin != null) {
                freshXmin.put(name, xmin);
                baselines.put(name, Baseline.FRESH);
            }
        } catch (SQLException e) {
            freshXmin.remove(name); // not reused then
        }
    }

    /** Forgets a database that is being dropped. */
    void forget(String name) {
        closeSession(name);
        freshXmin.remove(name);
        baselines.remove(name);
    }

    /** Closes every kept session: the pool is closing. */
    void close() {
        closed = true;
        sessions.keySet().forEach(this::closeSession);
    }

    private Connection session(String name) throws SQLException {
        Connection c = sessions.get(name);
        if (c != null) {
            return c;
        }
        c = server.ownerConnection(name, DatabaseState.CHECK_SESSION);
        if (closed) {
            c.close();
            throw new SQLException("the pool is closing");
        }
        sessions.put(name, c);
        return c;
    }

    private void closeSession(String name) {
        Connection c = sessions.remove(name);
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // its database is dropped next
            }
        }
    }

    /** How a database's state reads before its tables are looked at. */
    enum Screening {
        /** Changed beyond what a reset undoes, or beyond what can be compared: dropped. */
        CHANGED,
        /** A backend is still connected: wait for it to leave. */
        BUSY,
        /** Look at its tables and sequences. */
        LOOK_CLOSER
    }

    /**
     * @param state     the database's state now
     * @param freshXmin its pg_database row version when fresh, or null when unknown
     * @param baseline  its statistics when last fresh
     * @param canReset  whether the template's facts are known (else only an unchanged database is handed on)
     * @return what the state alone tells
     */
    static Screening screen(DatabaseState state, String freshXmin, Baseline baseline, boolean canReset) {
        if (state.changedBeyondRows() || freshXmin == null || !freshXmin.equals(state.xmin())) {
            return Screening.CHANGED;
        }
        if (state.writes() != baseline.writes() && !canReset) {
            return Screening.CHANGED; // nothing to reset with
        }
        return state.connections() == 0 ? Screening.LOOK_CLOSER : Screening.BUSY;
    }

    /**
     * @param name   a returned database
     * @param parked the backend of the application session parked in it, whose statistics are flushed; 0 for none
     * @return what may become of it; a database that is reset is fresh again when this returns
     */
    Verdict judge(String name, int parked) {
        Baseline base = baselines.get(name);
        if (!enabled || !inspected || base == null) {
            return Verdict.UNDECIDED;
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEAVE_TIMEOUT_MS);
            long pause = 2;
            DatabaseState state;
            while (true) {
                state = DatabaseState.read(admins, name, parked);
                if (state == null) {
                    return Verdict.UNDECIDED;
                }
                Screening screening = screen(state, freshXmin.get(name), base, facts != null);
                if (screening == Screening.CHANGED) {
                    return Verdict.CHANGED;
                }
                if (screening == Screening.LOOK_CLOSER) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    return Verdict.UNDECIDED; // no evidence either way: dropped, but not counted as a writer
                }
                Thread.sleep(pause);
                pause = Math.min(20, pause * 2); // each poll is a query: few of them while a backend exits
            }
            long written = state.writes() - base.writes();
            if (written < 0) {
                return Verdict.CHANGED; // statistics lost: nothing to compare with
            }
            Connection c = session(name);
            try (Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                RelationCounts now = RelationCounts.read(c);
                TemplateFacts tf = facts;
                DatabaseReset.Plan plan = DatabaseReset.plan(now, base, tf, written);
                if (plan.decided() != null) {
                    return plan.decided();
                }
                DatabaseReset.Outcome outcome = DatabaseReset.run(s, plan, tf, now, base, written);
                if (outcome.verdict() != Verdict.CHANGED) {
                    baselines.put(name, outcome.baseline());
                }
                if (outcome.verdict() == Verdict.RESET) {
                    statistics.resetTook(System.nanoTime() - t0);
                }
                return outcome.verdict();
            }
        } catch (SQLException | RuntimeException e) {
            closeSession(name); // a broken session is not kept
            return Verdict.UNDECIDED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.UNDECIDED;
        }
    }
}
