CREATE POLICY customers_select ON customers FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY customers_insert ON customers FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY customers_update ON customers FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY customers_delete ON customers FOR DELETE USING (tenant_id = current_tenant());
