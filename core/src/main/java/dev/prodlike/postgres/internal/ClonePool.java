package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fresh copies of a template database, created ahead in the background so a test does not wait, each handed out
 * once and dropped after use.
 *
 * <p>{@code CREATE DATABASE ... TEMPLATE} needs the template free of connections, so all clones are made by this
 * pool's own threads from a server-side admin connection, never while anything is connected to the template.
 *
 * <p>What a clone costs the server is what the test suite waits for once the CPUs are busy, so the pool keeps that
 * to the copy itself: its admin connections stay open (a new backend per CREATE or DROP costs the server about as
 * much as the DROP), and before the first copy it connects once to the template so that the template carries its
 * relation-cache init file, which every FILE_COPY clone then inherits: a test's first connection to its clone loads
 * that file instead of rebuilding the catalog cache from the catalogs.
 */
final class ClonePool implements AutoCloseable {

    private final PgServer server;
    private final String template;
    private final String prefix;
    private final int depth;
    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private final ExecutorService creator;
    private final ExecutorService dropper;
    /** Decides whether returned databases can be handed on, and resets them (four, so that returns never queue). */
    private final ExecutorService checker;
    private final List<Long> waitsNanos = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong createNanos = new AtomicLong();
    private final AtomicInteger created = new AtomicInteger();
    private final List<String> outstanding = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;
    private final String strategy;
    /** Open admin connections not in use right now; at most one per creator or dropper thread is ever open. */
    private final LinkedBlockingQueue<Connection> admins = new LinkedBlockingQueue<>();
    private final List<Connection> allAdmins = Collections.synchronizedList(new ArrayList<>());
    private final Object warmLock = new Object();
    private volatile boolean warmed;
    /** Whether returned databases may be handed out again (see {@link #verdict}). */
    private final boolean reuse;
    /** Whether the template was inspected (see {@link #warmTemplate}): no database is handed on before. */
    private volatile boolean inspected;
    /** pg_database row version of each clone when it was fresh. */
    private final java.util.Map<String, String> freshXmin = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each clone's statistics when it was last known to equal the template (zero for a new clone). */
    private final java.util.Map<String, Baseline> baselines = new java.util.concurrent.ConcurrentHashMap<>();
    /** What the template holds that a reset needs; null until read (no reset before). */
    private volatile TemplateFacts facts;
    private final AtomicInteger reused = new AtomicInteger();
    private final AtomicInteger recycled = new AtomicInteger();
    /** Time spent in {@link #reset} for the databases it reset. */
    private final AtomicLong resetNanos = new AtomicLong();
    private final AtomicInteger returning = new AtomicInteger();
    private final AtomicInteger changed = new AtomicInteger();
    private final AtomicInteger undecided = new AtomicInteger();
    private final AtomicInteger changedInARow = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();

    ClonePool(PgServer server, String template, String prefix, int depth, int majorVersion, List<String> seeded) {
        this.server = server;
        // FILE_COPY (PG 15+) copies files after a checkpoint: with fsync off it is 2-3x faster than WAL_LOG for
        // the small, catalog-dominated databases tests use. PG 14 always copies files.
        this.strategy = majorVersion >= 15 ? " STRATEGY FILE_COPY" : "";
        this.reuse = server.provisioned() && majorVersion >= 15;
        this.template = template;
        this.prefix = prefix;
        this.depth = depth;
        this.creator = Executors.newFixedThreadPool(2, daemon("prodlike-clone-" + template));
        this.dropper = Executors.newSingleThreadExecutor(daemon("prodlike-drop-" + template));
        this.checker = Executors.newFixedThreadPool(4, daemon("prodlike-check-" + template));
        seeded.forEach(this::rememberFresh);
        ready.addAll(seeded);
        // with a clone from the cache ready, copying more starts with the first test, not while the server is
        // still being inspected: on a cold start those copies competed with it for the CPUs
        if (seeded.isEmpty()) {
            refill();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * @return the name of a fresh database nobody else has; waits only when none is ready
     * @throws SQLException when a clone cannot be created
     */
    String acquire() throws SQLException {
        long t0 = System.nanoTime();
        String name = ready.poll();
        if (name == null) {
            name = awaitSupply();
        }
        if (name == null) {
            name = create();
        }
        waitsNanos.add(System.nanoTime() - t0);
        outstanding.add(name);
        refill();
        return name;
    }

    /**
     * With none ready: waits for a database under way (one being copied, or, while returned databases are being
     * handed on, one being checked or reset) rather than copying yet another one on the test's thread. Copying is
     * the work a suite on busy CPUs waits for; adding a copy next to those already running makes every one of them
     * slower. Gives up after 10 s (then the caller copies one itself, and sees the error if that fails).
     *
     * @return a database, or null when nothing is under way that could serve this test
     */
    private String awaitSupply() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!closed && (pending.get() > 0 || (recycling() && returning.get() > 0))) {
                String name = ready.poll(20, TimeUnit.MILLISECONDS);
                if (name != null || System.nanoTime() > deadline) {
                    return name;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ready.poll();
    }

    /** Whether the last returned database checked was handed on: then returned databases count as supply. */
    private boolean recycling() {
        return reuse && changedInARow.get() == 0;
    }

    /**
     * @param name a database from {@link #acquire()}: handed out again when its test provably changed nothing (see
     *             {@link #verdict}), dropped otherwise; in the background either way
     */
    void release(String name) {
        outstanding.remove(name);
        if (closed) {
            return;
        }
        if (!worthChecking()) {
            dropper.execute(() -> drop(name));
            return;
        }
        // counted as supply while it is checked, so that refill() does not copy the template for a test that the
        // returned database may serve
        returning.incrementAndGet();
        try {
            checker.execute(() -> check(name));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            returning.decrementAndGet(); // the run is ending: the server goes with its databases
        }
    }

    private void check(String name) {
        Verdict verdict = Verdict.UNDECIDED;
        try {
            verdict = closed ? Verdict.UNDECIDED : verdict(name);
            switch (verdict) {
                case UNCHANGED -> reused.incrementAndGet();
                case RESET -> recycled.incrementAndGet();
                case CHANGED -> {
                    changedInARow.incrementAndGet();
                    changed.incrementAndGet();
                }
                case UNDECIDED -> undecided.incrementAndGet();
            }
            if (verdict.handOn()) {
                changedInARow.set(0);
                ready.add(name);
            }
        } finally {
            returning.decrementAndGet();
        }
        if (!verdict.handOn() && !closed) {
            drop(name);
            refill();
        }
    }

    /** What the check of a returned database found. */
    private enum Verdict {
        /** Exactly as fresh: handed on as it is. */
        UNCHANGED,
        /** Its test only added rows to tables the template has empty: emptied again, then handed on. */
        RESET,
        /** Changed in a way a reset cannot undo: dropped. */
        CHANGED,
        /** Could not be told (a connection still open, an error): dropped, not counted as a writer. */
        UNDECIDED;

        boolean handOn() {
            return this == UNCHANGED || this == RESET;
        }
    }

    /**
     * A suite whose tests all write gains nothing from the check and pays its queries: after a few changed databases
     * in a row, only every eighth returned database is checked, until one is handed on again.
     */
    private boolean worthChecking() {
        if (!reuse) {
            return false;
        }
        return changedInARow.get() < 4 || releases.incrementAndGet() % 8 == 0;
    }

    /**
     * Whether a returned database is still exactly what a fresh clone of the template is, or can be made so by
     * emptying what its test added, so it can serve the next test instead of being dropped and copied again (the
     * IntegreSQL idea). Only on servers prodlike started, PostgreSQL 15 or later (whose cumulative statistics are
     * flushed when a backend exits; 14 sends them to a collector that may drop them). Proven, not guessed; any doubt
     * answers no:
     * <ul>
     * <li>no connection to it is left (a pool the application still holds makes it "changed"),</li>
     * <li>its statistics count no inserted, updated or deleted row since it was last known fresh, in any table,
     *     catalogs included, so no DML and no DDL, committed or not (aborted writes count too), and were never
     *     reset; or else (see {@link #reset}) every row written went into a table that is empty in the template,</li>
     * <li>its row in pg_database is the same row version (no ALTER DATABASE, GRANT, rename, outage fault), with no
     *     per-database settings, comment or security label,</li>
     * <li>no sequence was read since (nextval and setval write no rows, but read the sequence's block, which its
     *     statistics count), or those that were have the template's state or are set back to it, and no table was
     *     vacuumed or analysed (both rewrite planner statistics in place).</li>
     * </ul>
     */
    private Verdict verdict(String name) {
        Baseline base = baselines.get(name);
        if (!reuse || !inspected || base == null) {
            return Verdict.UNDECIDED;
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
            long pause = 2;
            String[] f;
            while (true) {
                String state = adminQuery(STATE_SQL, name);
                if (state == null) {
                    return Verdict.UNDECIDED;
                }
                // connections|written rows|stats reset|pg_database xmin|settings|comments|labels|prepared
                f = state.split("\\|", -1);
                if (!f[2].isEmpty() || !f[4].equals("0") || !f[5].equals("0") || !f[6].equals("0")
                        || !f[7].equals("0") || f[1].equals("-1")) {
                    return Verdict.CHANGED;
                }
                String xmin = freshXmin.get(name);
                if (xmin == null || !xmin.equals(f[3])) {
                    return Verdict.CHANGED;
                }
                if (Long.parseLong(f[1]) != base.writes && facts == null) {
                    return Verdict.CHANGED; // nothing to reset with
                }
                if (f[0].equals("0")) {
                    break;
                }
                // a backend still exiting has not flushed its statistics yet
                if (System.nanoTime() > deadline) {
                    return Verdict.UNDECIDED; // no evidence either way: dropped, but not counted as a writer
                }
                Thread.sleep(pause);
                pause = Math.min(20, pause * 2); // each poll is a query: few of them while a backend exits
            }
            long written = Long.parseLong(f[1]) - base.writes;
            if (written < 0) {
                return Verdict.CHANGED; // statistics lost: nothing to compare with
            }
            try (Connection c = server.ownerConnection(name); Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                Verdict v = reset(name, s, base, written);
                if (v == Verdict.RESET) {
                    resetNanos.addAndGet(System.nanoTime() - t0);
                }
                return v;
            }
        } catch (SQLException | RuntimeException e) {
            return Verdict.UNDECIDED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.UNDECIDED;
        }
    }

    /**
     * Hands a database on as it is when its statistics show that nothing was written, vacuumed or analysed and no
     * sequence was read or changed since its baseline; otherwise makes it fresh again when that is provably possible:
     * every row written since the baseline (per-table statistics, which the test's backends flushed when they exited)
     * went into a heap table that is empty in the template and has no ON TRUNCATE trigger, and the written rows add
     * up to what the database's statistics count (so no shared catalog or other relation took writes). Then, in one
     * transaction sent as one round trip, those tables and the template-empty tables whose foreign keys point at
     * them are truncated and every sequence whose block was read since the baseline (nextval and setval read it; a
     * sequence nobody read is as the template has it) is set back to the template's state; the statistics after
     * that become the new baseline. A schema change, a write to a seeded table, a vacuum or anything else answers
     * CHANGED, and the database is dropped as before.
     *
     * <p>Truncating a few small tables costs the server far less than the drop and the copy it replaces (see
     * docs/benchmarks.md), and it needs no checkpoint.
     */
    private Verdict reset(String name, Statement s, Baseline base, long written) throws SQLException {
        Tables now = Tables.read(s);
        if (now.maintenance != base.maintenance) {
            return Verdict.CHANGED;
        }
        java.util.List<Long> touched = new ArrayList<>();
        for (java.util.Map.Entry<Long, Long> e : now.sequenceReads.entrySet()) {
            long delta = e.getValue() - base.sequenceReads.getOrDefault(e.getKey(), 0L);
            if (delta < 0) {
                return Verdict.CHANGED;
            }
            if (delta > 0) {
                touched.add(e.getKey());
            }
        }
        if (written == 0 && touched.isEmpty()) {
            return Verdict.UNCHANGED;
        }
        TemplateFacts tf = facts;
        if (tf == null) {
            return Verdict.CHANGED; // nothing to reset with (nor to compare a sequence that was read with)
        }
        java.util.Set<Long> truncate = new java.util.TreeSet<>();
        long sum = 0;
        for (java.util.Map.Entry<Long, Long> e : now.writes.entrySet()) {
            long delta = e.getValue() - base.tables.getOrDefault(e.getKey(), 0L);
            if (delta < 0) {
                return Verdict.CHANGED;
            }
            if (delta == 0) {
                continue;
            }
            Long table = tf.emptyTables.get(e.getKey());
            if (table == null) {
                return Verdict.CHANGED; // a catalog, a seeded table, a table created by the test
            }
            truncate.add(table);
            sum += delta;
        }
        if (sum != written) {
            return Verdict.CHANGED;
        }
        // TRUNCATE refuses a table that another table's foreign key points at, unless that one is truncated too
        java.util.ArrayDeque<Long> todo = new java.util.ArrayDeque<>(truncate);
        while (!todo.isEmpty()) {
            for (Long referencing : tf.referencedBy.getOrDefault(todo.pop(), List.of())) {
                if (!tf.emptyTables.containsKey(referencing)) {
                    return Verdict.CHANGED; // a seeded table refers to it
                }
                if (truncate.add(referencing)) {
                    todo.add(referencing);
                }
            }
        }
        StringBuilder sql = new StringBuilder("BEGIN");
        String separator = "; TRUNCATE ONLY ";
        for (Long table : truncate) {
            sql.append(separator).append(tf.names.get(table));
            separator = ", ";
        }
        // a sequence that was read is set back only when its state differs from the template's (one that was only
        // read keeps the template's page as it is)
        separator = "; ";
        for (Long sequence : touched) {
            String state = tf.sequences.get(sequence);
            if (state == null) {
                return Verdict.CHANGED; // a sequence the test created (its DDL was counted too)
            }
            String[] v = state.split(":");
            long last = Long.parseLong(v[0]);
            boolean called = Boolean.parseBoolean(v[1]);
            sql.append(separator).append("SELECT pg_catalog.setval(").append(sequence)
                    .append("::pg_catalog.oid::pg_catalog.regclass, ").append(last).append(", ").append(called)
                    .append(") FROM ").append(tf.names.get(sequence)).append(" WHERE last_value <> ").append(last)
                    .append(" OR is_called <> ").append(called);
            separator = " UNION ALL ";
        }
        // what the reset itself adds to the statistics (the catalog rows it updates, the sequence blocks it reads),
        // read inside its transaction from this backend's own not yet flushed counts: the backend flushes exactly
        // these when it exits (before it leaves pg_stat_activity, which the next check waits for), so the baseline
        // needs no second read of the shared statistics after a forced flush
        sql.append("; ").append(Tables.OWN_SQL).append("; COMMIT");
        int sequencesSet = 0;
        java.util.Map<Long, Long> ownWrites = new java.util.HashMap<>();
        java.util.Map<Long, Long> ownSequenceReads = new java.util.HashMap<>();
        long ownTotal = 0;
        try {
            boolean results = s.execute(sql.toString());
            int resultSets = 0;
            while (results || s.getUpdateCount() != -1) {
                if (results) {
                    try (java.sql.ResultSet rs = s.getResultSet()) {
                        boolean setvals = resultSets++ == 0 && !touched.isEmpty();
                        while (rs.next()) {
                            if (setvals) {
                                sequencesSet++;
                            } else if (rs.getBoolean(2)) {
                                ownSequenceReads.put(rs.getLong(1), rs.getLong(3));
                            } else {
                                ownWrites.put(rs.getLong(1), rs.getLong(3));
                                ownTotal += rs.getLong(3);
                            }
                        }
                    }
                }
                results = s.getMoreResults();
            }
        } catch (SQLException e) {
            return Verdict.CHANGED; // the connection, with its aborted transaction, is closed next
        }
        java.util.Map<Long, Long> writes = new java.util.HashMap<>(now.writes);
        ownWrites.forEach((relation, n) -> writes.merge(relation, n, Long::sum));
        java.util.Map<Long, Long> sequenceReads = new java.util.HashMap<>(now.sequenceReads);
        ownSequenceReads.forEach((sequence, n) -> sequenceReads.merge(sequence, n, Long::sum));
        baselines.put(name, new Baseline(now.database + ownTotal, base.maintenance, java.util.Map.copyOf(writes),
                java.util.Map.copyOf(sequenceReads)));
        // nothing written, and the sequences that were read have the template's state: handed on as it was
        return written == 0 && sequencesSet == 0 ? Verdict.UNCHANGED : Verdict.RESET;
    }

    /** A database's statistics when it was last known to equal the template. */
    private record Baseline(long writes, long maintenance, java.util.Map<Long, Long> tables,
                            java.util.Map<Long, Long> sequenceReads) {
        static final Baseline FRESH = new Baseline(0, 0, java.util.Map.of(), java.util.Map.of());
    }

    /**
     * Rows written per relation (only those with any), block reads per sequence (only those with any), the
     * database's vacuum and analyse count, and the rows written as the database's own statistics count them (0 when
     * it has none); one query.
     */
    private record Tables(java.util.Map<Long, Long> writes, java.util.Map<Long, Long> sequenceReads, long maintenance,
                          long database) {
        /**
         * The statistics functions behind pg_stat_all_tables, pg_statio_all_sequences and pg_stat_database, only
         * those needed (the views compute ~25 per relation, and a new backend first has to load their definitions).
         */
        private static final String SQL = "SELECT t.oid, t.s, t.w, t.m FROM (SELECT c.oid, c.relkind = 'S' AS s,"
                + " CASE WHEN c.relkind = 'S' THEN pg_catalog.pg_stat_get_blocks_fetched(c.oid)"
                + " ELSE pg_catalog.pg_stat_get_tuples_inserted(c.oid) + pg_catalog.pg_stat_get_tuples_updated(c.oid)"
                + " + pg_catalog.pg_stat_get_tuples_deleted(c.oid) END AS w,"
                + " CASE WHEN c.relkind = 'S' THEN 0"
                + " ELSE pg_catalog.pg_stat_get_vacuum_count(c.oid) + pg_catalog.pg_stat_get_autovacuum_count(c.oid)"
                + " + pg_catalog.pg_stat_get_analyze_count(c.oid) + pg_catalog.pg_stat_get_autoanalyze_count(c.oid)"
                + " END AS m FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 't', 'm', 'p', 'S')"
                + " AND NOT c.relisshared) t WHERE t.w > 0 OR t.m > 0"
                + " UNION ALL SELECT 0, false, pg_catalog.pg_stat_get_db_tuples_inserted(d.oid)"
                + " + pg_catalog.pg_stat_get_db_tuples_updated(d.oid) + pg_catalog.pg_stat_get_db_tuples_deleted(d.oid), 0"
                + " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()";

        /**
         * The same counts of this backend's own current transaction and of its earlier ones not yet flushed to the
         * shared statistics (the pg_stat_get_xact_* functions), for every relation with any; no database row.
         */
        static final String OWN_SQL = "SELECT t.oid, t.s, t.w FROM (SELECT c.oid, c.relkind = 'S' AS s,"
                + " CASE WHEN c.relkind = 'S' THEN pg_catalog.pg_stat_get_xact_blocks_fetched(c.oid)"
                + " ELSE pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid)"
                + " + pg_catalog.pg_stat_get_xact_tuples_updated(c.oid)"
                + " + pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) END AS w"
                + " FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 't', 'm', 'p', 'S') AND NOT c.relisshared) t"
                + " WHERE t.w > 0";

        static Tables read(Statement s) throws SQLException {
            java.util.Map<Long, Long> writes = new java.util.HashMap<>();
            java.util.Map<Long, Long> sequenceReads = new java.util.HashMap<>();
            long maintenance = 0;
            long database = -1;
            try (java.sql.ResultSet rs = s.executeQuery(SQL)) {
                while (rs.next()) {
                    if (rs.getLong(1) == 0) {
                        database = rs.getLong(3);
                    } else if (rs.getLong(3) > 0) {
                        (rs.getBoolean(2) ? sequenceReads : writes).put(rs.getLong(1), rs.getLong(3));
                    }
                    maintenance += rs.getLong(4);
                }
            }
            return new Tables(java.util.Map.copyOf(writes), java.util.Map.copyOf(sequenceReads), maintenance,
                    database);
        }
    }

    /**
     * What a reset needs to know of the template, read once from it.
     *
     * @param emptyTables  every heap table without rows in the template (its file has no page), never vacuumed or
     *                     analysed (so TRUNCATE leaves its pg_class row's statistics exactly as the template has
     *                     them, and it has no planner statistics), without an ON TRUNCATE trigger; and its TOAST
     *                     table; each mapped to the table to truncate
     * @param referencedBy table to the tables whose foreign keys point at it
     * @param names        table or sequence to its qualified, quoted name
     * @param sequences    sequence to "last_value:is_called"
     */
    private record TemplateFacts(java.util.Map<Long, Long> emptyTables, java.util.Map<Long, List<Long>> referencedBy,
                                 java.util.Map<Long, String> names, java.util.Map<Long, String> sequences) {

        static TemplateFacts read(Statement s) throws SQLException {
            java.util.Map<Long, Long> empty = new java.util.HashMap<>();
            java.util.Map<Long, String> names = new java.util.HashMap<>();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT c.oid, c.reltoastrelid,"
                    + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)"
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND c.relpersistence <> 't'"
                    + " AND c.relam = (SELECT a.oid FROM pg_catalog.pg_am a WHERE a.amname = 'heap')"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
                    + " AND pg_catalog.pg_relation_size(c.oid) = 0 AND c.reltuples < 0"
                    + " AND (c.reltoastrelid = 0 OR pg_catalog.pg_relation_size(c.reltoastrelid) = 0)"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = c.oid"
                    + " AND (g.tgtype & 32) <> 0)")) {
                while (rs.next()) {
                    empty.put(rs.getLong(1), rs.getLong(1));
                    if (rs.getLong(2) != 0) {
                        empty.put(rs.getLong(2), rs.getLong(1));
                    }
                    names.put(rs.getLong(1), rs.getString(3));
                }
            }
            java.util.Map<Long, List<Long>> referencedBy = new java.util.HashMap<>();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT confrelid, conrelid FROM pg_catalog.pg_constraint"
                    + " WHERE contype = 'f'")) {
                while (rs.next()) {
                    referencedBy.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
            StringBuilder sequencesSql = new StringBuilder();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.'"
                    + " || pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S'")) {
                while (rs.next()) {
                    names.put(rs.getLong(1), rs.getString(2));
                    sequencesSql.append(sequencesSql.length() == 0 ? "" : " UNION ALL ").append("SELECT ")
                            .append(rs.getLong(1)).append("::pg_catalog.int8, last_value || ':' || is_called FROM ")
                            .append(rs.getString(2));
                }
            }
            java.util.Map<Long, String> sequences = new java.util.HashMap<>();
            if (sequencesSql.length() > 0) {
                try (java.sql.ResultSet rs = s.executeQuery(sequencesSql.toString())) {
                    while (rs.next()) {
                        sequences.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            return new TemplateFacts(java.util.Map.copyOf(empty), java.util.Map.copyOf(referencedBy),
                    java.util.Map.copyOf(names), java.util.Map.copyOf(sequences));
        }
    }


    /** One row about a database, as the admin sees it; see {@link #verdict}. */
    private static final String STATE_SQL = "SELECT (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
            + " || '|' || coalesce(s.tup_inserted + s.tup_updated + s.tup_deleted, -1)"
            + " || '|' || coalesce(s.stats_reset::text, '')"
            + " || '|' || d.xmin::text"
            + " || '|' || (SELECT count(*) FROM pg_db_role_setting r WHERE r.setdatabase = d.oid)"
            + " || '|' || (SELECT count(*) FROM pg_shdescription c WHERE c.objoid = d.oid"
            + "     AND c.classoid = 'pg_database'::regclass)"
            + " || '|' || (SELECT count(*) FROM pg_shseclabel l WHERE l.objoid = d.oid"
            + "     AND l.classoid = 'pg_database'::regclass)"
            + " || '|' || (SELECT count(*) FROM pg_prepared_xacts x WHERE x.database = d.datname)"
            + " FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datname = ?";

    private String adminQuery(String sql, String parameter) throws SQLException {
        Connection c = admins.poll();
        if (c == null) {
            c = server.ownerConnection(server.adminDatabase());
            allAdmins.add(c);
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            closeQuietly(c);
            c = null;
            throw e;
        } finally {
            if (c != null) {
                giveBack(c);
            }
        }
    }

    private void refill() {
        // databases under check count as supply while returned databases are being handed on; otherwise only as
        // many as two checks decide at once: a backlog of writers' databases must not leave tests without clones
        while (!closed && ready.size() + pending.get() + (recycling() ? returning.get() : Math.min(2, returning.get()))
                < depth) {
            pending.incrementAndGet();
            try {
                creator.execute(() -> {
                    try {
                        if (!closed) {
                            ready.add(create());
                        }
                    } catch (SQLException e) {
                        // The test that needs it will create one synchronously and see the error.
                    } finally {
                        pending.decrementAndGet();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.decrementAndGet();
                return;
            }
        }
    }

    private String create() throws SQLException {
        long t0 = System.nanoTime();
        warmTemplate();
        String name = prefix + sequence.incrementAndGet();
        String sql = "CREATE DATABASE " + Sql.ident(name) + " TEMPLATE " + Sql.ident(template) + strategy;
        String comment = !server.outlivesRun() ? null
                : "COMMENT ON DATABASE " + Sql.ident(name) + " IS " + Sql.literal(Leftovers.marker());
        admin(sql, comment);
        rememberFresh(name);
        createNanos.addAndGet(System.nanoTime() - t0);
        created.incrementAndGet();
        return name;
    }

    /** Notes the pg_database row version of a fresh clone, against which {@link #verdict} compares. */
    private void rememberFresh(String name) {
        if (!reuse) {
            return;
        }
        try {
            String xmin = adminQuery("SELECT xmin::text FROM pg_database WHERE datname = ?", name);
            if (xmin != null) {
                freshXmin.put(name, xmin);
                baselines.put(name, Baseline.FRESH);
            }
        } catch (SQLException e) {
            freshXmin.remove(name); // not reused then
        }
    }

    private void drop(String name) {
        freshXmin.remove(name);
        baselines.remove(name);
        try {
            admin("DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE)", null);
        } catch (SQLException ignored) {
            // dropped with the server, or at the next run (external)
        }
    }

    /**
     * Runs statements on a pooled admin connection. A connection that failed is closed, not returned, and a
     * statement that failed on a connection opened earlier is retried once on a new one (the server may have
     * dropped idle connections, e.g. an external server's idle timeout).
     */
    private void admin(String sql, String then) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            Connection c = admins.poll();
            boolean reused = c != null;
            if (c == null) {
                c = server.ownerConnection(server.adminDatabase());
                allAdmins.add(c);
            }
            try (Statement s = c.createStatement()) {
                s.execute(sql);
                if (then != null) {
                    s.execute(then);
                }
            } catch (SQLException e) {
                boolean broken = isBroken(c);
                if (broken) {
                    closeQuietly(c);
                } else {
                    giveBack(c);
                }
                if (broken && reused && attempt == 1) {
                    continue;
                }
                throw e;
            }
            giveBack(c);
            return;
        }
    }

    private void giveBack(Connection c) {
        if (closed) {
            closeQuietly(c);
        } else {
            admins.add(c);
        }
    }

    private static boolean isBroken(Connection c) {
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    private void closeQuietly(Connection c) {
        allAdmins.remove(c);
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    /**
     * Connects to the template once, as the owner, so that PostgreSQL writes the template's relation-cache init file
     * ({@code pg_internal.init}); a FILE_COPY clone copies it, and the first backend of each clone loads it instead of
     * building it. The server deletes init files when it starts, so this runs once per pool. Returns once that
     * backend has left: CREATE DATABASE refuses a template with connections.
     */
    private void warmTemplate() {
        if (warmed) {
            return;
        }
        synchronized (warmLock) {
            if (warmed) {
                return;
            }
            try {
                try (Connection c = server.ownerConnection(template); Statement st = c.createStatement()) {
                    try {
                        facts = TemplateFacts.read(st);
                    } catch (SQLException e) {
                        facts = null; // databases are then only handed on unchanged, never reset
                    }
                    // every verdict reads the cumulative statistics: a server that does not count writes (a
                    // declared track_counts=off) hands no database on
                    try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('track_counts')")) {
                        inspected = rs.next() && "on".equals(rs.getString(1));
                    }
                }
                try (Connection c = server.ownerConnection(server.adminDatabase());
                     java.sql.PreparedStatement ps = c.prepareStatement(
                             "SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
                    ps.setString(1, template);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (System.nanoTime() < deadline) {
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getInt(1) == 0) {
                                break;
                            }
                        }
                        Thread.onSpinWait();
                    }
                }
            } catch (SQLException ignored) {
                // an optimisation only: clones then build their caches themselves
            }
            warmed = true;
        }
    }

    /**
     * @return wait per acquire in ms (p50, p99), acquires, mean create time in ms, databases handed on unchanged,
     *     checked and changed, undecided, reset, and the mean time of a reset in ms (connected, from reading
     *     what was written to the new baseline)
     */
    double[] stats() {
        List<Long> copy;
        synchronized (waitsNanos) {
            copy = new ArrayList<>(waitsNanos);
        }
        Collections.sort(copy);
        double p50 = copy.isEmpty() ? 0 : copy.get((int) Math.floor((copy.size() - 1) * 0.5)) / 1e6;
        double p99 = copy.isEmpty() ? 0 : copy.get((int) Math.floor((copy.size() - 1) * 0.99)) / 1e6;
        int n = created.get();
        double meanCreate = n == 0 ? 0 : createNanos.get() / 1e6 / n;
        int r = recycled.get();
        return new double[] {p50, p99, copy.size(), meanCreate, reused.get(), changed.get(), undecided.get(), r,
                r == 0 ? 0 : resetNanos.get() / 1e6 / r};
    }

    /** Stops prefetching; on servers prodlike does not own, drops every clone it made. */
    @Override
    public void close() {
        closed = true;
        creator.shutdown();
        try {
            creator.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checker.shutdown();
        try {
            checker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropper.shutdown();
        try {
            dropper.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server.outlivesRun()) {
            List<String> left = new ArrayList<>(ready);
            synchronized (outstanding) {
                left.addAll(outstanding);
            }
            for (String name : left) {
                drop(name);
            }
        }
        ready.clear();
        List<Connection> open;
        synchronized (allAdmins) {
            open = new ArrayList<>(allAdmins);
        }
        open.forEach(this::closeQuietly);
        admins.clear();
    }
}
