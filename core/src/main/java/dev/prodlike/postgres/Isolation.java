package dev.prodlike.postgres;

import org.apiguardian.api.API;

/**
 * How long a test database lives.
 *
 * @since 0.1.0
 */
@API(status = API.Status.STABLE, since = "0.1.0")
public enum Isolation {

    /** Every test method gets a fresh clone of the migrated template (the default). */
    PER_METHOD,

    /** One clone per test class, shared by its methods (and {@code @BeforeAll}). */
    PER_CLASS
}
