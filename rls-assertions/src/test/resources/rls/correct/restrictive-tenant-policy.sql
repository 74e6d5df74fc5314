-- A broad permissive policy is harmless under a RESTRICTIVE policy that confines the tenant (they are AND-ed).
CREATE TABLE shipments (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    carrier   text NOT NULL
);
ALTER TABLE shipments ENABLE ROW LEVEL SECURITY;
ALTER TABLE shipments FORCE ROW LEVEL SECURITY;
CREATE POLICY shipments_any ON shipments USING (true) WITH CHECK (true);
CREATE POLICY shipments_tenant ON shipments AS RESTRICTIVE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON shipments TO ${app_role};
GRANT USAGE ON SEQUENCE shipments_id_seq TO ${app_role};
INSERT INTO shipments (tenant_id, carrier) VALUES ('acme', 'ups'), ('globex', 'dhl');
