package com.example.orders;

import static dev.prodlike.jwt.JwtAssertions.assertThatToken;
import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.jwt.JwtIssuer;
import dev.prodlike.jwt.TestTokens;
import dev.prodlike.postgres.ProductionLikeDatabase;
import dev.prodlike.postgres.TenantContext;
import dev.prodlike.postgres.TenantDatabase;
import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisSession;
import dev.prodlike.rls.RlsAssertions;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@ProductionLikeDatabase
@RedisSession
@JwtIssuer
class OrdersTests {

    @Test
    @TenantContext("acme")
    void aTenantSeesOnlyItsOwnOrders(DataSource acme, TenantDatabase db) throws SQLException {
        try (Connection globex = db.asTenant("globex").getConnection()) {
            globex.createStatement().execute("INSERT INTO orders (item) VALUES ('globex order')");
        }
        try (Connection c = acme.getConnection()) {     // as orders_app, app.current_tenant = 'acme'
            c.createStatement().execute("INSERT INTO orders (item) VALUES ('acme order')");
            ResultSet rs = c.createStatement().executeQuery("SELECT item FROM orders");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("acme order");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void everyTenantTableIsIsolated(TenantDatabase db) throws SQLException {
        try (Connection owner = db.ownerDataSource().getConnection()) {   // the audit needs two tenants' rows
            owner.createStatement().execute(
                    "INSERT INTO orders (tenant_id, item) VALUES ('acme', 'book'), ('globex', 'pen')");
        }
        RlsAssertions.assertThat(db).tablesWithColumn("tenant_id").areIsolated();
    }

    @Test
    void anUpdateInvalidatesOnlyItsOrder(RedisEnvironment redis, RedisCommands<String, String> redisCommands) {
        redisCommands.set("order:42", "{\"item\":\"book\"}");
        redisCommands.set("order:43", "{\"item\":\"pen\"}");
        assertThatCache(redis).whenRunning(() -> redisCommands.del("order:42"))
                .invalidated("order:42")
                .didNotTouch("order:43");
    }

    @Test
    void tokensCarryTheTenant(TestTokens tokens) {
        String token = tokens.forTenant("acme").subject("u-1").sign();
        assertThatToken(token).isValidFor(tokens).hasTenant("acme");
    }
}
