-- Partitions without RLS of their own are fine when the app role reaches them only through the parent.
CREATE TABLE events (
    tenant_id text NOT NULL,
    id        bigint NOT NULL,
    kind      text NOT NULL
) PARTITION BY LIST (tenant_id);
CREATE TABLE events_acme PARTITION OF events FOR VALUES IN ('acme');
CREATE TABLE events_globex PARTITION OF events FOR VALUES IN ('globex');
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_tenant ON events
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON events TO ${app_role};
INSERT INTO events VALUES ('acme', 1, 'login'), ('globex', 2, 'login');
