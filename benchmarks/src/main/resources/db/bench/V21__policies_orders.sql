CREATE POLICY orders_select ON orders FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY orders_insert ON orders FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY orders_update ON orders FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY orders_delete ON orders FOR DELETE USING (tenant_id = current_tenant());
