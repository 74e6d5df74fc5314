package dev.prodlike.jwt.internal;

import dev.prodlike.jwt.IssuerFault;
import dev.prodlike.jwt.IssuerFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The issuer's endpoint faults: a list of active faults that the server's {@link LocalHttpServer.Gate} reads on every
 * request. Internal API.
 *
 * @since 0.1.0
 */
public final class IssuerFaultsImpl implements IssuerFaults {

    private enum Kind {
        REFUSE,
        HANG,
        LATENCY,
        ERRORS
    }

    private final Supplier<LocalHttpServer> server;
    private final List<Active> active = new ArrayList<>();
    private final String jwksPath;
    private final String discoveryPath;

    /**
     * @param server        the issuer's server, started on first use
     * @param jwksPath      path of the JWKS
     * @param discoveryPath path of the discovery document
     */
    public IssuerFaultsImpl(Supplier<LocalHttpServer> server, String jwksPath, String discoveryPath) {
        this.server = server;
        this.jwksPath = jwksPath;
        this.discoveryPath = discoveryPath;
    }

    /** @return the gate to install on the issuer's server */
    public LocalHttpServer.Gate gate() {
        return this::beforeAnswer;
    }

    @Override
    public IssuerFault refuse() {
        LocalHttpServer s = server.get();
        Active fault = add(new Active(Kind.REFUSE, Duration.ZERO, 0));
        s.stopListening();
        return fault;
    }

    @Override
    public IssuerFault hang() {
        server.get();
        return add(new Active(Kind.HANG, Duration.ZERO, 0));
    }

    @Override
    public IssuerFault latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException(
                    "latency needs a positive delay, but got " + delay + "; for no answer at all use hang()");
        }
        server.get();
        return add(new Active(Kind.LATENCY, delay, 0));
    }

    @Override
    public IssuerFault errors(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException(
                    "errors needs an HTTP error status (400-599), such as 500 or 503, but " + "got " + status);
        }
        server.get();
        return add(new Active(Kind.ERRORS, Duration.ZERO, status));
    }

    @Override
    public int jwksRequests() {
        return server.get().hits(jwksPath);
    }

    @Override
    public int discoveryRequests() {
        return server.get().hits(discoveryPath);
    }

    /** Ends every active fault: at the end of a test, or when the issuer closes. */
    public void endAll() {
        List<Active> all;
        synchronized (this) {
            all = new ArrayList<>(active);
        }
        all.forEach(Active::close);
    }

    /** @return whether any fault is active */
    public synchronized boolean anyActive() {
        return !active.isEmpty();
    }

    private synchronized Active add(Active fault) {
        active.add(fault);
        return fault;
    }

    private int beforeAnswer(String path) throws InterruptedException {
        long delayNanos;
        int status = 0;
        synchronized (this) {
            while (active.stream().anyMatch(a -> a.kind == Kind.HANG)) {
                wait(); // a hang holds the request until it ends, then it is answered as the other faults say
            }
            delayNanos = active.stream()
                    .filter(a -> a.kind == Kind.LATENCY)
                    .mapToLong(a -> a.delay.toNanos())
                    .sum();
            for (Active a : active) {
                if (a.kind == Kind.ERRORS) {
                    status = a.status;
                }
            }
        }
        if (delayNanos > 0) {
            Thread.sleep(delayNanos / 1_000_000, (int) (delayNanos % 1_000_000));
        }
        return status;
    }

    private final class Active implements IssuerFault {
        private final Kind kind;
        private final Duration delay;
        private final int status;

        Active(Kind kind, Duration delay, int status) {
            this.kind = kind;
            this.delay = delay;
            this.status = status;
        }

        @Override
        public void close() {
            boolean listenAgain;
            synchronized (IssuerFaultsImpl.this) {
                if (!active.remove(this)) {
                    return;
                }
                listenAgain = kind == Kind.REFUSE && active.stream().noneMatch(a -> a.kind == Kind.REFUSE);
                IssuerFaultsImpl.this.notifyAll();
            }
            if (listenAgain) {
                try {
                    server.get().listenAgain();
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "The issuer's endpoints could not listen again on "
                                    + server.get().uri("") + " after the outage: " + e.getMessage()
                                    + ". Another process "
                                    + "took the port meanwhile; the issuer stays down for the rest of this test.",
                            e);
                }
            }
        }

        @Override
        public boolean isActive() {
            synchronized (IssuerFaultsImpl.this) {
                return active.contains(this);
            }
        }

        @Override
        public String toString() {
            switch (kind) {
                case REFUSE:
                    return "issuer down (connections refused)";
                case HANG:
                    return "issuer hung (connections accepted, never answered)";
                case LATENCY:
                    return "issuer slow (" + delay.toMillis() + " ms per answer)";
                default:
                    return "issuer failing (HTTP " + status + ")";
            }
        }
    }
}
