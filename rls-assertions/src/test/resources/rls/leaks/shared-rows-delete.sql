-- Shared reference rows, but the DELETE policy also reaches them: any tenant can delete a shared row.
\i correct/shared-reference-rows.sql
DROP POLICY products_delete ON products;
CREATE POLICY products_delete ON products FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL);
