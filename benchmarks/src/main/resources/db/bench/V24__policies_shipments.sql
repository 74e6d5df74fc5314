CREATE POLICY shipments_select ON shipments FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY shipments_insert ON shipments FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY shipments_update ON shipments FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY shipments_delete ON shipments FOR DELETE USING (tenant_id = current_tenant());
