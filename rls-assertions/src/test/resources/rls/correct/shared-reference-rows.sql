-- Shared reference rows: tenant_id IS NULL rows are readable by every tenant, but only a tenant's own rows can be
-- written. Reading a row that belongs to no tenant is not a cross-tenant leak.
CREATE TABLE products (
    id        bigserial PRIMARY KEY,
    tenant_id text REFERENCES tenants (id),
    name      text NOT NULL
);
ALTER TABLE products ENABLE ROW LEVEL SECURITY;
ALTER TABLE products FORCE ROW LEVEL SECURITY;
CREATE POLICY products_select ON products FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id IS NULL);
CREATE POLICY products_insert ON products FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY products_update ON products FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY products_delete ON products FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON products TO ${app_role};
GRANT USAGE ON SEQUENCE products_id_seq TO ${app_role};
INSERT INTO products (tenant_id, name) VALUES
    (NULL, 'shared widget'), (NULL, 'shared gadget'), ('acme', 'acme special'), ('globex', 'globex special');
