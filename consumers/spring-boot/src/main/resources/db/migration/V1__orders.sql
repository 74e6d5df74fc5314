CREATE TABLE orders (id bigserial PRIMARY KEY, tenant_id text NOT NULL, item text NOT NULL);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_tenant ON orders USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
-- The service creates its own login role, as its production migrations do.
CREATE USER orders_app WITH PASSWORD 'set-by-production';
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO orders_app;
GRANT USAGE ON SEQUENCE orders_id_seq TO orders_app;
