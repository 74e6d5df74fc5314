-- A tenant table in another schema whose names need quoting ("Sales"."Deals"), isolated like orders.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, "Value" FROM "Sales"."Deals";
--    tenant_id | Value
--   -----------+-------
--    acme      |  1.00
--   (1 row)
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Deals" (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    "Value"   numeric(10, 2) NOT NULL
);
ALTER TABLE "Sales"."Deals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Sales"."Deals" FORCE ROW LEVEL SECURITY;
CREATE POLICY "Deals by tenant" ON "Sales"."Deals"
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT USAGE ON SCHEMA "Sales" TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON "Sales"."Deals" TO ${app_role};
GRANT USAGE ON SEQUENCE "Sales"."Deals_id_seq" TO ${app_role};
INSERT INTO "Sales"."Deals" (tenant_id, "Value") VALUES ('acme', 1.00), ('globex', 2.00);
