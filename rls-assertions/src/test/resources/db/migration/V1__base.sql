-- The base every corpus case starts from: a correct multi-tenant schema.
-- tenants is a reference table without a tenant column: no RLS needed.
CREATE TABLE tenants (
    id   text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE orders (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    item      text NOT NULL,
    amount    numeric(10, 2) NOT NULL DEFAULT 0
);

ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;

-- one policy per command, each confined to the tenant setting
CREATE POLICY orders_select ON orders FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_insert ON orders FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY orders_delete ON orders FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true));

GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT ON tenants TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO ${app_role};
GRANT USAGE ON SEQUENCE orders_id_seq TO ${app_role};

INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex');
INSERT INTO orders (tenant_id, item, amount) VALUES
    ('acme', 'anvil', 10.00), ('acme', 'rocket skates', 99.50), ('globex', 'doomsday device', 1000000.00);
