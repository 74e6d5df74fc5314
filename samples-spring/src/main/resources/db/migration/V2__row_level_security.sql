-- Every tenant table: RLS enabled and FORCEd (so even the owner is subject to it), one policy per command, and
-- INSERT/UPDATE checked WITH CHECK so a row can never be written into another tenant.
-- current_setting(..., true) returns NULL or '' when no tenant is set: the policies then match nothing (fail closed).

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_select ON tenants FOR SELECT
    USING (id = current_setting('app.current_tenant', true));

ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_select ON orders FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_insert ON orders FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_delete ON orders FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true));

ALTER TABLE order_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY order_lines_select ON order_lines FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY order_lines_insert ON order_lines FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY order_lines_update ON order_lines FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY order_lines_delete ON order_lines FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true));
