package dev.prodlike.postgres;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

@ProductionLikeDatabase
class SmokeTests {

    @Test
    @TenantContext("acme")
    void seesOwnRows(DataSource acme, TenantDatabase db) throws Exception {
        try (Connection c = acme.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*), current_user FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
            assertThat(rs.getString(2)).isEqualTo("orders_app");
        }
        assertThat(db.serverVersion()).isEqualTo("16.4");
    }
}
