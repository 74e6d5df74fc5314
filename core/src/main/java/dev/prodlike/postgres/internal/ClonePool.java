package dev.prodlike.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Fresh copies of a template database, created ahead in the background so a test does not wait, each handed out
 * once, then dropped or, when {@link ReuseJudge} finds it still fresh (or {@link DatabaseReset} makes it so), handed
 * to a later test.
 *
 * <p>{@code CREATE DATABASE ... TEMPLATE} needs the template free of connections, so all clones are made by this
 * pool's own threads through {@link AdminConnections}, never while anything is connected to the template.
 *
 * <p>What a clone costs the server is what the test suite waits for once the CPUs are busy, so the pool keeps that
 * to the copy itself: before the first copy it connects once to the template so that the template carries its
 * relation-cache init file, which every FILE_COPY clone then inherits: a test's first connection to its clone loads
 * that file instead of rebuilding the catalog cache from the catalogs.
 */
final class ClonePool implements AutoCloseable {

    private final PgServer server;
    private final String template;
    private final String prefix;
    private final int depth;
    /** Tests that asked for a clone so far: the pool keeps at most that many ready (see {@link #target()}). */
    private final AtomicInteger asked = new AtomicInteger();
    /**
     * Whether the pool started with clones from the cache: then the first test's database is not replaced by a copy
     * made during that test. Most first tests return a database the pool hands on, which serves the second; a copy
     * made meanwhile competes with the first test for the CPUs while the JVM is coldest (the first audit of the
     * 100-table benchmark, issue 24). A second test that asks, or a first database that comes back changed, starts
     * the copies.
     */
    private final boolean seededStart;

    /** How clones are copied ({@code STRATEGY}). */
    private final String strategy;
    /** Where clones go, when not into pg_default. */
    private final CloneTablespace tablespace;

    private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private final ExecutorService creator;
    private final ExecutorService dropper;
    /** Decides whether returned databases can be handed on, and resets them (four, so that returns never queue). */
    private final ExecutorService checker;

    private final List<String> outstanding = Collections.synchronizedList(new ArrayList<>());
    private final AdminConnections admins;
    private final CloneStatistics statistics = new CloneStatistics();
    private final ReuseJudge judge;
    private final Object warmLock = new Object();
    private volatile boolean warmed;
    private volatile boolean closed;
    /** Returned databases being checked: supply while returned databases are being handed on. */
    private final AtomicInteger returning = new AtomicInteger();

    private final AtomicInteger changedInARow = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();

    /** Opens a connection to a ready clone ahead of its test, once someone asked for that; see connectAhead. */
    private volatile Function<String, ConnectionAhead> opener;

    private final Map<String, CompletableFuture<ConnectionAhead>> ahead = new ConcurrentHashMap<>();
    private final ExecutorService aheadOpener;

    ClonePool(PgServer server, String template, String prefix, int depth, int majorVersion, List<String> seeded) {
        this.server = server;
        // FILE_COPY (PG 15+) copies files after a checkpoint: with fsync off it is 2-3x faster than WAL_LOG for
        // the small, catalog-dominated databases tests use. PG 14 always copies files.
        this.strategy = majorVersion >= 15 ? " STRATEGY FILE_COPY" : "";
        // clones made before the template was kept lie in pg_default: with a faster tablespace for clones, one that
        // comes back makes way for a copy there, unless no other clone is ready (a burst at the start: then it is
        // reset and handed on, which is quicker than the first copies)
        this.tablespace = new CloneTablespace(server, seeded);
        this.template = template;
        this.prefix = prefix;
        this.depth = depth;
        this.seededStart = !seeded.isEmpty();
        this.admins = new AdminConnections(server);
        this.judge = new ReuseJudge(server, majorVersion, admins, statistics);
        this.creator = Executors.newFixedThreadPool(2, daemon("prodlike-clone-" + template));
        this.dropper = Executors.newSingleThreadExecutor(daemon("prodlike-drop-" + template));
        this.checker = Executors.newFixedThreadPool(4, daemon("prodlike-check-" + template));
        this.aheadOpener = Executors.newFixedThreadPool(2, daemon("prodlike-connect-" + template));
        seeded.forEach(judge::rememberFresh);
        seeded.forEach(this::offer);
        // with a clone from the cache ready, copying more starts with the second test (see seededStart), not while
        // the server is still being inspected: on a cold start those copies competed with it for the CPUs
        if (seeded.isEmpty()) {
            refill();
        }
    }

    private static ThreadFactory daemon(String name) {
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
        statistics.waited(System.nanoTime() - t0);
        outstanding.add(name);
        if (asked.incrementAndGet() > 1 || !seededStart || !judge.enabled()) {
            refill();
        }
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
        return judge.enabled() && changedInARow.get() == 0;
    }

    /**
     * @param name   a database from {@link #acquire()}: handed out again when its test provably changed nothing (see
     *               {@link ReuseJudge}), dropped otherwise; in the background either way
     * @param parked the application's session left in it by its test ({@link TestDatabase#park}), with the test's
     *               network proxy: the next test that takes the database takes it as its connection opened ahead
     *               when the database is handed on; closed otherwise. Null for none
     * @return what becomes of the database, once decided (a handed-on database is ready for the next test by then)
     */
    CompletableFuture<Verdict> release(String name, ParkedSession parked) {
        CompletableFuture<Verdict> outcome = new CompletableFuture<>();
        outstanding.remove(name);
        if (closed) {
            ParkedSession.closeQuietly(parked);
            outcome.complete(Verdict.UNDECIDED);
            return outcome;
        }
        if (tablespace.makesWayFor(name, !ready.isEmpty())) {
            ParkedSession.closeQuietly(parked);
            outcome.complete(Verdict.NOT_CHECKED);
            dropper.execute(() -> drop(name));
            refill();
            return outcome;
        }
        if (!worthChecking()) {
            ParkedSession.closeQuietly(parked);
            outcome.complete(Verdict.NOT_CHECKED);
            dropper.execute(() -> drop(name));
            return outcome;
        }
        // counted as supply while it is checked, so that refill() does not copy the template for a test that the
        // returned database may serve
        returning.incrementAndGet();
        try {
            checker.execute(() -> check(name, parked, outcome));
        } catch (RejectedExecutionException e) {
            returning.decrementAndGet(); // the run is ending: the server goes with its databases
            ParkedSession.closeQuietly(parked);
            outcome.complete(Verdict.UNDECIDED);
        }
        return outcome;
    }

    /** Whether a test may leave its application session in its database for the next one: see ParkedSession. */
    boolean takesParkedSessions() {
        return judge.enabled() && opener != null && !closed;
    }

    private void check(String name, ParkedSession parked, CompletableFuture<Verdict> outcome) {
        Verdict verdict = Verdict.UNDECIDED;
        boolean kept = false;
        try {
            try {
                if (!closed) {
                    // a pool seeded from the cache may see its first database back before its first copy read
                    // the template: the judge needs what that reads, so the check reads it if nothing did yet
                    warmTemplate();
                }
                verdict = closed ? Verdict.UNDECIDED : judge.judge(name, parked == null ? 0 : parked.backend());
                statistics.judged(verdict);
                if (verdict == Verdict.CHANGED) {
                    changedInARow.incrementAndGet();
                }
                if (verdict.handOn()) {
                    changedInARow.set(0);
                    kept = parked != null && !closed;
                    offer(name, kept ? parked.ahead() : null);
                }
            } finally {
                if (!kept) {
                    ParkedSession.closeQuietly(parked);
                }
                returning.decrementAndGet();
            }
            if (!verdict.handOn() && !closed) {
                drop(name);
                refill();
            }
        } finally {
            outcome.complete(verdict);
        }
    }

    /**
     * A suite whose tests all write gains nothing from the check and pays its queries: after a few changed databases
     * in a row, only every eighth returned database is checked, until one is handed on again.
     */
    private boolean worthChecking() {
        if (!judge.enabled()) {
            return false;
        }
        return changedInARow.get() < 4 || releases.incrementAndGet() % 8 == 0;
    }

    /**
     * How many clones to keep ready now: half the depth (at least one) until that many tests have asked, then one
     * more per test that asks, up to the depth. The depth is there for bursts of tests; a class of one or two tests
     * never takes more than two, and every clone made beyond that only took the CPUs from its tests (the first audit
     * of the 100-table benchmark: 577 ms mean with three clones made during it, 514 ms with one; issue 24). With
     * parallel tests the depth is twice the parallelism, so as many clones as can be taken at once are ready from
     * the start.
     */
    int target() {
        return Math.min(depth, Math.max(Math.max(1, depth / 2), asked.get()));
    }

    private void refill() {
        // databases under check count as supply while returned databases are being handed on; otherwise only as
        // many as two checks decide at once: a backlog of writers' databases must not leave tests without clones
        while (!closed
                && ready.size() + pending.get() + (recycling() ? returning.get() : Math.min(2, returning.get()))
                        < target()) {
            pending.incrementAndGet();
            try {
                creator.execute(() -> {
                    try {
                        if (!closed) {
                            offer(create());
                        }
                    } catch (SQLException e) {
                        // The test that needs it will create one synchronously and see the error.
                    } finally {
                        pending.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException e) {
                pending.decrementAndGet();
                return;
            }
        }
    }

    /** Makes a database ready; with {@link #connectAhead} asked for, its connection is opened now too. */
    private void offer(String name) {
        offer(name, null);
    }

    /**
     * Makes a database ready with a connection to it: {@code parked}, the session its last test left in it, or one
     * opened now when {@link #connectAhead} was asked for.
     */
    private void offer(String name, ConnectionAhead parked) {
        Function<String, ConnectionAhead> open = opener;
        if (parked != null) {
            ahead.put(name, CompletableFuture.completedFuture(parked));
            if (closed && ahead.remove(name) != null) { // close() may have emptied the map meanwhile
                ConnectionAhead.closeQuietly(parked);
            }
        } else if (open != null && !closed) {
            try {
                // in the map before the name is ready, so that whoever takes the database finds it
                ahead.put(name, CompletableFuture.supplyAsync(() -> open.apply(name), aheadOpener));
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
        ready.add(name);
    }

    /**
     * From now on, every database that becomes ready gets a connection opened to it at once, in the background: a
     * new PostgreSQL backend costs 10-40 ms, which its test then does not wait for. The first caller's opener is
     * kept.
     *
     * @param open opens the connection to the named database, or returns null when it could not
     */
    void connectAhead(Function<String, ConnectionAhead> open) {
        if (opener == null) {
            synchronized (ahead) {
                if (opener == null) {
                    opener = open;
                }
            }
        }
    }

    /**
     * @param name a database just {@linkplain #acquire() acquired}
     * @return the connection opened ahead to it (its caller now owns it), or null when there is none yet
     */
    ConnectionAhead takeAhead(String name) {
        CompletableFuture<ConnectionAhead> opening = ahead.remove(name);
        if (opening == null) {
            return null;
        }
        if (!opening.isDone()) {
            // not waited for: the test would wait as long for one of its own; this one is closed once open
            opening.thenAccept(ConnectionAhead::closeQuietly);
            return null;
        }
        return opening.getNow(null);
    }

    /**
     * Waits until the database the next test would take is ready with its connection opened ahead. Not API: for the
     * tests of connections opened ahead, which would otherwise depend on how soon a busy machine opens one.
     *
     * @return whether it is within the timeout; false at once when the next is ready without one (ready before
     *     {@link #connectAhead} was asked)
     */
    boolean awaitNextAhead(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            String next = ready.peek();
            if (next != null) {
                CompletableFuture<ConnectionAhead> opening = ahead.get(next);
                if (opening == null || opening.isDone()) {
                    return opening != null;
                }
            }
            Thread.sleep(5);
        } while (System.nanoTime() < deadline);
        return false;
    }

    private String create() throws SQLException {
        long t0 = System.nanoTime();
        warmTemplate();
        String name = prefix + sequence.incrementAndGet();
        String sql = "CREATE DATABASE " + Sql.ident(name) + " TEMPLATE " + Sql.ident(template) + strategy;
        String comment = !server.outlivesRun()
                ? null
                : "COMMENT ON DATABASE " + Sql.ident(name) + " IS " + Sql.literal(Leftovers.marker());
        tablespace.copy(into -> admins.execute(sql + into, comment));
        judge.rememberFresh(name);
        statistics.created(System.nanoTime() - t0);
        return name;
    }

    private void drop(String name) {
        judge.forget(name);
        try {
            admins.execute("DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE)", null);
        } catch (SQLException ignored) {
            // dropped with the server, or at the next run (external)
        }
    }

    /**
     * Connects to the template once, as the owner, so that PostgreSQL writes the template's relation-cache init file
     * ({@code pg_internal.init}); a FILE_COPY clone copies it, and the first backend of each clone loads it instead of
     * building it. The server deletes init files when it starts, so this runs once per pool. The same connection
     * lets the judge inspect the template. Returns once that backend has left: CREATE DATABASE refuses a template
     * with connections.
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
                try (Connection c = server.ownerConnection(template);
                        Statement st = c.createStatement()) {
                    judge.inspectTemplate(st);
                }
                try (Connection c = server.ownerConnection(server.adminDatabase());
                        PreparedStatement ps =
                                c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
                    ps.setString(1, template);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (System.nanoTime() < deadline) {
                        try (ResultSet rs = ps.executeQuery()) {
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

    /** @return what the pool counted so far */
    CloneStats stats() {
        return statistics.snapshot();
    }

    /** Stops prefetching; on servers prodlike does not own, drops every clone it made. */
    @Override
    public void close() {
        closed = true;
        aheadOpener.shutdownNow();
        ahead.values().forEach(opening -> opening.thenAccept(ConnectionAhead::closeQuietly));
        ahead.clear();
        admins.retire();
        stop(creator, 30);
        stop(checker, 30);
        stop(dropper, 60);
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
        judge.close();
        admins.close();
    }

    private static void stop(ExecutorService executor, int seconds) {
        executor.shutdown();
        try {
            executor.awaitTermination(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
