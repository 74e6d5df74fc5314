-- A tenant table created without row-level security.
CREATE TABLE invoices (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    total     numeric(10, 2) NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON invoices TO ${app_role};
GRANT USAGE ON SEQUENCE invoices_id_seq TO ${app_role};
INSERT INTO invoices (tenant_id, total) VALUES ('acme', 10), ('globex', 20);
