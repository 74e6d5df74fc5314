package dev.prodlike.testing;

import dev.prodlike.ProductionProfile;
import dev.prodlike.postgres.internal.EmbeddedPostgresAccess;
import java.util.Map;

/** A child JVM for the kill -9 test: starts embedded PostgreSQL, prints where, and waits to be killed. */
public final class StartEmbeddedPostgres {

    private StartEmbeddedPostgres() {}

    public static void main(String[] args) throws Exception {
        // args: the PostgreSQL version, then the cache directory of the parent's build (empty: the default)
        Map<String, String> values = args.length > 1 && !args[1].isEmpty()
                ? Map.of("postgres.version", args[0], ProductionProfile.CACHE_DIR, args[1])
                : Map.of("postgres.version", args[0]);
        String[] started = EmbeddedPostgresAccess.start(ProductionProfile.of(values));
        System.out.println("READY " + started[0] + " " + started[1]);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
