CREATE POLICY order_lines_select ON order_lines FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY order_lines_insert ON order_lines FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY order_lines_update ON order_lines FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY order_lines_delete ON order_lines FOR DELETE USING (tenant_id = current_tenant());
