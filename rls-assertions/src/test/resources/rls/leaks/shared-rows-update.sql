-- Shared reference rows, but the UPDATE policy also reaches them: any tenant can change (or claim) a shared row.
\i correct/shared-reference-rows.sql
DROP POLICY products_update ON products;
CREATE POLICY products_update ON products FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL)
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
