package dev.prodlike.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Initialises, on a thread of its own, what the first test class's start is about to use anyway: the security
 * providers behind {@code MessageDigest} (the migrations' fingerprint), and {@code DriverManager} with the
 * PostgreSQL driver (the server's readiness probe). A cold JVM spends tens of milliseconds on each; done here they
 * overlap the profile's reading and the cluster's copy instead of lying on the way to the first test. Nothing is
 * done that the start would not do, and a failure here is left for the real use to report.
 */
public final class WarmUp {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private WarmUp() {
    }

    /** Starts the warm-up once per JVM; returns at once. */
    public static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(WarmUp::run, "prodlike-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            java.security.MessageDigest.getInstance("SHA-256").digest(new byte[64]);
        } catch (Exception | LinkageError e) {
            // reported where it is used
        }
        try {
            Class.forName("org.postgresql.Driver", true, WarmUp.class.getClassLoader());
            java.sql.DriverManager.getDrivers();
        } catch (Exception | LinkageError e) {
            // reported where it is used
        }
    }
}
