package dev.prodlike.testing;

import dev.prodlike.ProductionProfile;
import dev.prodlike.postgres.internal.EmbeddedPostgresAccess;

import java.util.Map;

/** A child JVM for the kill -9 test: starts embedded PostgreSQL, prints where, and waits to be killed. */
public final class StartEmbeddedPostgres {

    private StartEmbeddedPostgres() {
    }

    public static void main(String[] args) throws Exception {
        String[] started = EmbeddedPostgresAccess.start(ProductionProfile.of(Map.of("postgres.version", args[0])));
        System.out.println("READY " + started[0] + " " + started[1]);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
