-- Fixture for ClonePrefetchTests: a template of its own, so that its clone pool counts only that class's tests.
CREATE TABLE notes (
    id        int PRIMARY KEY,
    tenant_id text NOT NULL
);
GRANT USAGE ON SCHEMA public TO orders_app;
GRANT SELECT ON notes TO orders_app;
