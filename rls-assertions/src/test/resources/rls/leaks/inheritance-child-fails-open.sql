-- An inheritance child with RLS enabled and forced whose read policy falls back to the row's own tenant when the
-- setting is unset: with no tenant set, every row is visible.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SELECT tenant_id, item FROM orders_archive;
--    tenant_id |   item
--   -----------+-----------
--    acme      | old anvil
--    globex    | old ray
--   (2 rows)
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
CREATE POLICY orders_archive_select ON orders_archive FOR SELECT
    USING (tenant_id = coalesce(current_setting('app.current_tenant', true), tenant_id));
GRANT SELECT ON orders_archive TO ${app_role};
INSERT INTO orders_archive (tenant_id, item, amount) VALUES ('acme', 'old anvil', 1.00), ('globex', 'old ray', 2.00);
