package dev.prodlike.postgres.internal;

import dev.prodlike.ProductionProfile;

/** Test access to the embedded server's port and run directory. */
public final class EmbeddedPostgresAccess {

    private EmbeddedPostgresAccess() {}

    /**
     * @param profile a profile
     * @return port and run directory of a newly started server
     */
    public static String[] start(ProductionProfile profile) {
        EmbeddedPostgres pg = EmbeddedPostgres.start(profile, null);
        return new String[] {String.valueOf(pg.port()), pg.log().getParent().toString()};
    }

    /**
     * @param version   a PostgreSQL version
     * @param cacheRoot a cache root
     * @return the unpacked binaries there
     */
    public static java.nio.file.Path installBinaries(String version, java.nio.file.Path cacheRoot) {
        return new ZonkyBinaries(version, ZonkyBinaries.platform(), ZonkyBinaries.defaultLocalRepository())
                .install(cacheRoot);
    }
}
