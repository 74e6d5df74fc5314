package dev.prodlike.postgres.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** Work on a thread of its own whose failure is rethrown, unwrapped, by {@link #join()}. */
final class Background<T> {
    private final FutureTask<T> task;

    private Background(Callable<T> work) {
        this.task = new FutureTask<>(work);
    }

    static <T> Background<T> start(String what, Callable<T> work) {
        Background<T> b = new Background<>(work);
        Thread t = new Thread(b.task, "prodlike-" + what);
        t.setDaemon(true);
        t.start();
        return b;
    }

    T join() {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }
}
