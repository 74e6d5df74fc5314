-- Fixture for ParkedSessionTests: a template of its own, so that no other test class's clones get connections
-- opened ahead or sessions parked in them.
CREATE TABLE notes (
    tenant_id text NOT NULL,
    note      text NOT NULL
);
GRANT USAGE ON SCHEMA public TO orders_app;
GRANT SELECT, INSERT ON notes TO orders_app;
