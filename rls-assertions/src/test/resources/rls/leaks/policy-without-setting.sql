-- The read policy never looks at the tenant setting.
DROP POLICY orders_select ON orders;
CREATE POLICY orders_select ON orders FOR SELECT USING (tenant_id IS NOT NULL);
