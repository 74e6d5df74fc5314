package dev.prodlike.internal;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Initialises, on a thread of its own, what the first test class's start is about to use anyway: the security
 * providers behind {@code MessageDigest} (the migrations' fingerprint), and {@code DriverManager} with the
 * PostgreSQL driver and its connection path (the first connection's). A cold JVM spends tens of milliseconds on
 * each; done here they overlap the profile's reading and the cluster's copy instead of lying on the way to the first test. Nothing is
 * done that the start would not do, and a failure here is left for the real use to report.
 */
public final class WarmUp {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private WarmUp() {}

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
            MessageDigest.getInstance("SHA-256").digest(new byte[64]);
        } catch (Exception | LinkageError e) {
            // reported where it is used
        }
        try {
            Class.forName("org.postgresql.Driver", true, WarmUp.class.getClassLoader());
            DriverManager.getDrivers();
            refusedConnection();
        } catch (Exception | LinkageError e) {
            // reported where it is used
        }
    }

    /**
     * One connection attempt to a loopback port nothing listens on (one just free, which this JVM's proxies then
     * stay off): it loads the driver's connection path (host choosing, socket, startup message, the exception and
     * its localised message), which the first connection would otherwise load on the way to the first test, a few
     * hundred classes that took a cold JVM 100-350 ms after the server was ready.
     */
    private static void refusedConnection() {
        int port = Ports.freeLoopbackPort();
        Properties props = new Properties();
        props.setProperty("user", "prodlike-warm-up");
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "1");
        try (Connection ignored =
                DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/prodlike_warm_up", props)) {
            // something took the port meanwhile and answered: nothing to do with it
        } catch (SQLException expected) {
            // refused: the classes are loaded
        }
    }
}
