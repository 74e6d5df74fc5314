package dev.prodlike.samples.spring;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Sets the tenant for the current transaction ({@code set_config(..., true)} is {@code SET LOCAL}): it ends with the
 * transaction, so a pooled connection never carries a tenant into another request.
 */
@Component
public class TenantScope {

    /** The setting the row-level security policies read. */
    public static final String SETTING = "app.current_tenant";

    private final JdbcClient jdbc;

    TenantScope(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Must run inside a transaction, first.
     *
     * @param tenant the tenant of the request
     */
    public void enter(String tenant) {
        jdbc.sql("SELECT set_config(?, ?, true)")
                .params(SETTING, tenant)
                .query(String.class)
                .single();
    }
}
