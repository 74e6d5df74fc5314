package com.example.boot;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

@Repository
public class Orders {

    private final JdbcTemplate jdbc;

    public Orders(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void add(String tenant, String item) {
        jdbc.update("INSERT INTO orders (tenant_id, item) VALUES (?, ?)", tenant, item);
    }

    public int count() {
        return jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class);
    }

    public String user() {
        return jdbc.queryForObject("SELECT current_user", String.class);
    }
}
