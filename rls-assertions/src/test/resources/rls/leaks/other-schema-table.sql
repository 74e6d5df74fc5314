-- A tenant table in another schema, with a name that needs quoting, whose row-level security was never enabled.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, total FROM billing."Invoices";
--    tenant_id | total
--   -----------+-------
--    acme      | 10.00
--    globex    | 20.00
--   (2 rows)
CREATE SCHEMA billing;
CREATE TABLE billing."Invoices" (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    total     numeric(10, 2) NOT NULL
);
GRANT USAGE ON SCHEMA billing TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON billing."Invoices" TO ${app_role};
GRANT USAGE ON SEQUENCE billing."Invoices_id_seq" TO ${app_role};
INSERT INTO billing."Invoices" (tenant_id, total) VALUES ('acme', 10.00), ('globex', 20.00);
