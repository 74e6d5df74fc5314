package dev.prodlike.internal.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one thread that relays the bytes of every test proxy in the JVM: a selector over all their sockets, so that a
 * proxy without a fault costs a read and a write per chunk and no thread of its own. All proxy state is touched on this
 * thread only; other threads hand it work through {@link #call}.
 *
 * <p>A daemon thread blocked in {@code select} when idle; it owns nothing that outlives the proxies, which their
 * owners close (a test's database or Redis lease), so there is nothing to tear down.
 */
final class ProxyLoop implements Runnable {

    /** Something registered with the selector. */
    interface Handler {
        void ready(SelectionKey key) throws IOException;
    }

    private record Timer(long due, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private static ProxyLoop shared;

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;

    private ProxyLoop() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not open a selector for prodlike's network proxy: " + e.getMessage(), e);
        }
        this.thread = new Thread(this, "prodlike-proxy");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static synchronized ProxyLoop get() {
        if (shared == null) {
            shared = new ProxyLoop();
        }
        return shared;
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread soon. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /**
     * Runs {@code task} on the loop thread and waits for its result (bounded: the loop never blocks).
     *
     * @param task the work
     * @param <T>  its result
     * @return its result
     */
    <T> T call(Callable<T> task) {
        if (inLoop()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for prodlike's network proxy", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "prodlike's network proxy did not answer within 30 s (thread " + thread.getName() + " is "
                            + thread.getState() + ")",
                    e);
        }
    }

    /** Loop thread only: runs {@code task} at {@code due} ({@link System#nanoTime()}). */
    void schedule(long due, Runnable task) {
        timers.add(new Timer(due, timerSeq++, task));
    }

    @Override
    public void run() {
        while (true) {
            try {
                turn();
            } catch (RuntimeException | Error e) {
                // One proxy's bug must not stop every other test's connections; it is logged where it happened.
                org.slf4j.LoggerFactory.getLogger(ProxyLoop.class).warn("prodlike proxy: {}", e.toString(), e);
            }
        }
    }

    private void turn() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().due - now <= 0) {
            timers.poll().task.run();
        }
        long wait = 0;
        if (!timers.isEmpty()) {
            wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timers.peek().due - System.nanoTime()) + 1);
        }
        try {
            if (!tasks.isEmpty()) {
                selector.selectNow();
            } else {
                selector.select(wait);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            try {
                if (key.isValid()) {
                    ((Handler) key.attachment()).ready(key);
                }
            } catch (CancelledKeyException e) {
                // closed meanwhile by a fault or the test's end
            } catch (IOException e) {
                // handled by the handler; a leftover means the channel is gone
            }
        }
    }
}
