-- The UPDATE policy's USING is true: a tenant can change every tenant's rows (a statement without WHERE
-- is not filtered by the SELECT policy).
DROP POLICY orders_update ON orders;
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (true)
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
