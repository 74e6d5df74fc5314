-- Shared rows marked by a sentinel tenant '*' (the column is NOT NULL): every tenant reads them, no tenant can
-- insert, change or delete them.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, name FROM categories;
--    tenant_id |  name
--   -----------+---------
--    *         | general
--    *         | misc
--    acme      | rockets
--   (3 rows)
--
--   UPDATE categories SET name = 'x' WHERE tenant_id = '*';
--   UPDATE 0
--   INSERT INTO categories (tenant_id, name) VALUES ('*', 'acme says hi');
--   ERROR:  new row violates row-level security policy for table "categories"
CREATE TABLE categories (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    name      text NOT NULL
);
ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE categories FORCE ROW LEVEL SECURITY;
CREATE POLICY categories_select ON categories FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id = '*');
CREATE POLICY categories_write ON categories FOR ALL
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON categories TO ${app_role};
GRANT USAGE ON SEQUENCE categories_id_seq TO ${app_role};
INSERT INTO categories (tenant_id, name) VALUES ('*', 'general'), ('*', 'misc'), ('acme', 'rockets'),
    ('globex', 'lasers');
