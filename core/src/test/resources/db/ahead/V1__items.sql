-- Fixture for ConnectionAheadTests: a template of its own, so that no other test class's clones get connections
-- opened ahead.
CREATE TABLE items (
    id        int PRIMARY KEY,
    tenant_id text NOT NULL
);
GRANT USAGE ON SCHEMA public TO orders_app;
GRANT SELECT ON items TO orders_app;
