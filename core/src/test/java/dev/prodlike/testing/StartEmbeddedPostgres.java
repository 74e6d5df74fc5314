package dev.prodlike.testing;

import dev.prodlike.ProductionProfile;
import dev.prodlike.postgres.internal.EmbeddedPostgresAccess;

import java.util.HashMap;
import java.util.Map;

/**
 * A child JVM for the kill tests: starts embedded PostgreSQL (version, optionally a cache directory), prints where,
 * and waits to be killed.
 */
public final class StartEmbeddedPostgres {

    private StartEmbeddedPostgres() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> profile = new HashMap<>(Map.of("postgres.version", args[0]));
        if (args.length > 1) {
            profile.put("cache-dir", args[1]);
        }
        String[] started = EmbeddedPostgresAccess.start(ProductionProfile.of(profile));
        System.out.println("READY " + started[0] + " " + started[1]);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
