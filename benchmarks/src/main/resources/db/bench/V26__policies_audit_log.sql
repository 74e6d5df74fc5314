CREATE POLICY audit_log_select ON audit_log FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY audit_log_insert ON audit_log FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY audit_log_update ON audit_log FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY audit_log_delete ON audit_log FOR DELETE USING (tenant_id = current_tenant());
