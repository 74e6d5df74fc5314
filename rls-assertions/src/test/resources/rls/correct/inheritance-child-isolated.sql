-- An inheritance child the app role may use directly, with row-level security of its own, enabled and forced.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SELECT count(*) FROM orders_archive;
--    count
--   -------
--        0
--   (1 row)
--
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item FROM orders_archive;
--    tenant_id |   item
--   -----------+-----------
--    acme      | old anvil
--   (1 row)
CREATE TABLE orders_archive () INHERITS (orders);
ALTER TABLE orders_archive ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders_archive FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_archive_tenant ON orders_archive
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON orders_archive TO ${app_role};
INSERT INTO orders_archive (tenant_id, item, amount) VALUES ('acme', 'old anvil', 1.00), ('globex', 'old ray', 2.00);
