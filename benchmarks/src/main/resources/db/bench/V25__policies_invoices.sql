CREATE POLICY invoices_select ON invoices FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY invoices_insert ON invoices FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY invoices_update ON invoices FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY invoices_delete ON invoices FOR DELETE USING (tenant_id = current_tenant());
