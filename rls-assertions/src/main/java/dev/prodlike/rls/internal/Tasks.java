package dev.prodlike.rls.internal;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** The audit's few background tasks: connecting, and probing while other work goes on. */
final class Tasks {

    private Tasks() {}

    /** @return the task, running on a daemon thread of its own */
    static <T> FutureTask<T> background(String name, Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread thread = new Thread(future, name);
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    /**
     * Waits for the task to end, also when interrupted (the sequences are restored only after the probes ended);
     * an interrupt is kept for the caller.
     *
     * @return the task's result
     * @throws SQLException what the task threw
     */
    static <T> T await(FutureTask<T> task) throws SQLException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof SQLException sql) {
                        throw sql;
                    }
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for the latch to open, also when interrupted; an interrupt is kept for the caller. */
    static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the task's result, or null when it failed */
    static <T> T awaitQuietly(FutureTask<T> task) {
        try {
            return await(task);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }
}
