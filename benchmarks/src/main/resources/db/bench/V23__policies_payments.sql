CREATE POLICY payments_select ON payments FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY payments_insert ON payments FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY payments_update ON payments FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY payments_delete ON payments FOR DELETE USING (tenant_id = current_tenant());
