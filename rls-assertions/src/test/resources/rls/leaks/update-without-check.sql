-- The UPDATE policy's WITH CHECK is true: a row can be moved to another tenant.
-- With a WHERE clause the SELECT policy still guards the new row; without one it does not.
DROP POLICY orders_update ON orders;
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (true);
