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
    private final List<Long> waitsNanos = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong createNanos = new AtomicLong();
    private final AtomicInteger created = new AtomicInteger();
    private final List<String> outstanding = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;
    private final String strategy;

    ClonePool(PgServer server, String template, String prefix, int depth, int majorVersion, List<String> seeded) {
        this.server = server;
        // FILE_COPY (PG 15+) copies files after a checkpoint: with fsync off it is 2-3x faster than WAL_LOG for
        // the small, catalog-dominated databases tests use. PG 14 always copies files.
        this.strategy = majorVersion >= 15 ? " STRATEGY FILE_COPY" : "";
        this.template = template;
        this.prefix = prefix;
        this.depth = depth;
        this.creator = Executors.newFixedThreadPool(2, daemon("prodlike-clone-" + template));
        this.dropper = Executors.newSingleThreadExecutor(daemon("prodlike-drop-" + template));
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

    /** @param name a database from {@link #acquire()}, dropped in the background */
    void release(String name) {
        outstanding.remove(name);
        if (closed) {
            return;
        }
        dropper.execute(() -> drop(name));
    }

    private void refill() {
        while (!closed && ready.size() + pending.get() < depth) {
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
        String name = prefix + sequence.incrementAndGet();
        try (Connection c = server.ownerConnection(server.adminDatabase()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + Sql.ident(name) + " TEMPLATE " + Sql.ident(template) + strategy);
            if (server.outlivesRun()) {
                s.execute("COMMENT ON DATABASE " + Sql.ident(name) + " IS " + Sql.literal(Leftovers.marker()));
            }
        }
        createNanos.addAndGet(System.nanoTime() - t0);
        created.incrementAndGet();
        return name;
    }

    private void drop(String name) {
        try (Connection c = server.ownerConnection(server.adminDatabase()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE)");
        } catch (SQLException ignored) {
            // dropped with the server, or at the next run (external)
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
        return new double[] {p50, p99, copy.size(), meanCreate};
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
    }
}
