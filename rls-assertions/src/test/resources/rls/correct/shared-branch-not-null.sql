-- One FOR ALL policy with an "OR tenant_id IS NULL" branch on a NOT NULL column: no row can be shared by design,
-- so the branch admits nothing, for reads or writes.
CREATE TABLE labels (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    name      text NOT NULL
);
ALTER TABLE labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE labels FORCE ROW LEVEL SECURITY;
CREATE POLICY labels_tenant ON labels
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL);
GRANT SELECT, INSERT, UPDATE, DELETE ON labels TO ${app_role};
GRANT USAGE ON SEQUENCE labels_id_seq TO ${app_role};
INSERT INTO labels (tenant_id, name) VALUES ('acme', 'urgent'), ('globex', 'later');
