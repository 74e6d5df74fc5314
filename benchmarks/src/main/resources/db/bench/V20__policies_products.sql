CREATE POLICY products_select ON products FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY products_insert ON products FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY products_update ON products FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY products_delete ON products FOR DELETE USING (tenant_id = current_tenant());
