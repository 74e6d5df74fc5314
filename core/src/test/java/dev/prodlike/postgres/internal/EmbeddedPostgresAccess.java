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

    /**
     * Builds a pristine cluster (initdb) into a cache entry, as a server's first start does.
     *
     * @param version   a PostgreSQL version
     * @param cacheRoot a cache root
     * @param entry     the entry to build, under {@code <cacheRoot>/postgres/clusters}
     */
    public static void buildPristineCluster(String version, java.nio.file.Path cacheRoot, java.nio.file.Path entry) {
        dev.prodlike.internal.OsUser user =
                dev.prodlike.internal.OsUser.isRoot() ? dev.prodlike.internal.OsUser.named("nobody") : null;
        Clusters.pristine(version, installBinaries(version, cacheRoot), entry, user, cacheRoot, line -> {});
    }
}
