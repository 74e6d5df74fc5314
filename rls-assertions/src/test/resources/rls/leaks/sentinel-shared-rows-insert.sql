-- Shared rows marked by a sentinel tenant '*' (the column is NOT NULL): readable by every tenant, which is fine, but
-- the INSERT policy admits '*' too, so any tenant can add a row every other tenant reads.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   INSERT INTO categories (tenant_id, name) VALUES ('*', 'acme says hi');
--   INSERT 0 1
--   SET app.current_tenant = 'globex';
--   SET
--   SELECT tenant_id, name FROM categories;
--    tenant_id |     name
--   -----------+--------------
--    *         | general
--    globex    | lasers
--    *         | acme says hi
--   (3 rows)
CREATE TABLE categories (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    name      text NOT NULL
);
ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE categories FORCE ROW LEVEL SECURITY;
CREATE POLICY categories_select ON categories FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id = '*');
CREATE POLICY categories_insert ON categories FOR INSERT
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true) OR tenant_id = '*');
CREATE POLICY categories_update ON categories FOR UPDATE
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
CREATE POLICY categories_delete ON categories FOR DELETE
    USING (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON categories TO ${app_role};
GRANT USAGE ON SEQUENCE categories_id_seq TO ${app_role};
INSERT INTO categories (tenant_id, name) VALUES ('*', 'general'), ('acme', 'rockets'), ('globex', 'lasers');
