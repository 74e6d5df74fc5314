-- Shared reference rows, but the INSERT policy also accepts rows without a tenant: any tenant can add rows that
-- every other tenant then reads.
\i correct/shared-reference-rows.sql
DROP POLICY products_insert ON products;
CREATE POLICY products_insert ON products FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL);
