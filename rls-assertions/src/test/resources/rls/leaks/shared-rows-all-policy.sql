-- The common shortcut: one FOR ALL policy with the shared branch on a nullable column. Reads are right, but with no
-- WITH CHECK the same branch lets every tenant insert, change and delete shared rows.
\i correct/shared-reference-rows.sql
DROP POLICY products_select ON products;
DROP POLICY products_insert ON products;
DROP POLICY products_update ON products;
DROP POLICY products_delete ON products;
CREATE POLICY products_tenant ON products
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL);
