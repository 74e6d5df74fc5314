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
    /** Decides whether returned databases can be handed on (two, so that a backlog of returns clears quickly). */
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
    /** Whether returned databases may be handed out again (see {@link #unchanged}). */
    private final boolean reuse;
    /** The sequences' state in the template, read once; null until read (no reuse before). */
    private volatile String sequencesOfTemplate;
    /** pg_database row version of each clone when it was fresh. */
    private final java.util.Map<String, String> freshXmin = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger reused = new AtomicInteger();
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
        this.checker = Executors.newFixedThreadPool(2, daemon("prodlike-check-" + template));
        seeded.forEach(this::rememberFresh);
        ready.addAll(seeded);
        refill();
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
            name = create();
        }
        waitsNanos.add(System.nanoTime() - t0);
        outstanding.add(name);
        refill();
        return name;
    }

    /**
     * @param name a database from {@link #acquire()}: handed out again when its test provably changed nothing (see
     *             {@link #unchanged}), dropped otherwise; in the background either way
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
        {
            boolean handOn = false;
            try {
                Boolean verdict = closed ? null : unchanged(name);
                handOn = Boolean.TRUE.equals(verdict);
                if (handOn) {
                    changedInARow.set(0);
                    reused.incrementAndGet();
                    ready.add(name);
                } else if (Boolean.FALSE.equals(verdict)) {
                    changedInARow.incrementAndGet();
                    changed.incrementAndGet();
                } else {
                    undecided.incrementAndGet();
                }
            } finally {
                returning.decrementAndGet();
            }
            if (!handOn && !closed) {
                drop(name);
                refill();
            }
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
     * Whether a returned database is still exactly what a fresh clone of the template is, so it can serve the next
     * test as it is instead of being dropped and copied again (the IntegreSQL idea). Only on servers prodlike started,
     * PostgreSQL 15 or later (whose cumulative statistics are flushed when a backend exits; 14 sends them to a
     * collector that may drop them). Proven, not guessed; any doubt answers no:
     * <ul>
     * <li>no connection to it is left (a pool the application still holds makes it "changed"),</li>
     * <li>its statistics count no inserted, updated or deleted row since it was fresh, in any table, catalogs
     *     included, so no DML and no DDL, committed or not (aborted writes count too), and were never reset,</li>
     * <li>its row in pg_database is the same row version (no ALTER DATABASE, GRANT, rename, outage fault), with no
     *     per-database settings, comment or security label,</li>
     * <li>every sequence has the template's state (nextval and setval write no rows), and no table was vacuumed or
     *     analysed (both rewrite planner statistics in place).</li>
     * </ul>
     *
     * @return true to hand it on, false when it was changed, null when that cannot be told (a connection is still
     *     open after 250 ms, an error): dropped, like a changed one
     */
    private Boolean unchanged(String name) {
        if (!reuse || sequencesOfTemplate == null) {
            return null;
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
            long pause = 2;
            while (true) {
                String state = adminQuery(STATE_SQL, name);
                if (state == null) {
                    return null;
                }
                // connections|changed rows|stats reset|pg_database xmin|settings|comments|labels
                String[] f = state.split("\\|", -1);
                if (!f[1].equals("0") || !f[2].isEmpty() || !f[4].equals("0") || !f[5].equals("0")
                        || !f[6].equals("0")) {
                    return false;
                }
                String xmin = freshXmin.get(name);
                if (xmin == null || !xmin.equals(f[3])) {
                    return false;
                }
                if (f[0].equals("0")) {
                    break;
                }
                // a backend still exiting has not flushed its statistics yet
                if (System.nanoTime() > deadline) {
                    return null; // no evidence either way: dropped, but the test is not counted as a writer
                }
                Thread.sleep(pause);
                pause = Math.min(20, pause * 2); // each poll is a query: few of them while a backend exits
            }
            try (Connection c = server.ownerConnection(name); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery(CONTENT_SQL)) {
                rs.next();
                return rs.getLong(2) == 0 && sequencesOfTemplate.equals(rs.getString(1));
            }
        } catch (SQLException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One row about a database, as the admin sees it; see {@link #unchanged}. */
    private static final String STATE_SQL = "SELECT (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
            + " || '|' || coalesce(s.tup_inserted + s.tup_updated + s.tup_deleted, -1)"
            + " || '|' || coalesce(s.stats_reset::text, '')"
            + " || '|' || d.xmin::text"
            + " || '|' || (SELECT count(*) FROM pg_db_role_setting r WHERE r.setdatabase = d.oid)"
            + " || '|' || (SELECT count(*) FROM pg_shdescription c WHERE c.objoid = d.oid"
            + "     AND c.classoid = 'pg_database'::regclass)"
            + " || '|' || (SELECT count(*) FROM pg_shseclabel l WHERE l.objoid = d.oid"
            + "     AND l.classoid = 'pg_database'::regclass)"
            + " FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid WHERE d.datname = ?";

    /**
     * Inside a database: the state of every sequence, and how often its own tables were vacuumed or analysed (shared
     * catalogs, whose statistics every database shows, change with other databases).
     */
    private static final String CONTENT_SQL = "SELECT (SELECT coalesce(string_agg(c.oid::regclass::text || '='"
            + " || (xpath('/row/v/text()', query_to_xml(format('SELECT last_value || '':'' || is_called AS v FROM %s',"
            + " c.oid::regclass), false, true, '')))[1]::text, ',' ORDER BY c.oid), '')"
            + " FROM pg_class c WHERE c.relkind = 'S'),"
            + " (SELECT coalesce(sum(t.vacuum_count + t.autovacuum_count + t.analyze_count + t.autoanalyze_count), 0)"
            + " FROM pg_stat_all_tables t JOIN pg_class r ON r.oid = t.relid WHERE NOT r.relisshared)";

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
        // databases under check count as supply, but only as many as the checker threads decide at once: a backlog
        // must not leave tests to create their clones themselves
        while (!closed && ready.size() + pending.get() + Math.min(2, returning.get()) < depth) {
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

    /** Notes the pg_database row version of a fresh clone, against which {@link #unchanged} compares. */
    private void rememberFresh(String name) {
        if (!reuse) {
            return;
        }
        try {
            String xmin = adminQuery("SELECT xmin::text FROM pg_database WHERE datname = ?", name);
            if (xmin != null) {
                freshXmin.put(name, xmin);
            }
        } catch (SQLException e) {
            freshXmin.remove(name); // not reused then
        }
    }

    private void drop(String name) {
        freshXmin.remove(name);
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
                try (Connection c = server.ownerConnection(template); Statement st = c.createStatement();
                     java.sql.ResultSet rs = st.executeQuery(CONTENT_SQL)) {
                    rs.next();
                    sequencesOfTemplate = rs.getString(1);
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

    /** @return wait per acquire in ms, p50 and p99, and mean create time */
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
        return new double[] {p50, p99, copy.size(), meanCreate, reused.get(), changed.get(), undecided.get()};
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
