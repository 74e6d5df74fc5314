package dev.prodlike.redis.internal;

/**
 * Lets tests share a server, and lets one test that pauses or stops the server have it to itself: it waits until
 * the other tests on that server have finished and holds new ones back until it ends. Not tied to threads (JUnit may
 * close a test's Store on another thread than the one that ran it). Exclusive requests are preferred over new
 * shared ones, so they cannot starve.
 */
final class ServerGate {

    private int shared;
    private boolean exclusive;
    private int waitingExclusive;

    synchronized void enterShared() throws InterruptedException {
        while (exclusive || waitingExclusive > 0) {
            wait();
        }
        shared++;
    }

    /** Turns the caller's shared hold into an exclusive one. */
    synchronized void escalate() throws InterruptedException {
        shared--;
        waitingExclusive++;
        try {
            while (exclusive || shared > 0) {
                wait();
            }
        } catch (InterruptedException e) {
            waitingExclusive--;
            shared++;
            notifyAll();
            throw e;
        }
        waitingExclusive--;
        exclusive = true;
        notifyAll();
    }

    synchronized void leaveShared() {
        shared--;
        notifyAll();
    }

    synchronized void leaveExclusive() {
        exclusive = false;
        notifyAll();
    }
}
