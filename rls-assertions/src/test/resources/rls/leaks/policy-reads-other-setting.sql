-- A policy that reads a different setting (app.tenant) than the one the application sets (app.current_tenant),
-- and lets every row through while its own setting is unset: which it always is.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, count(*) FROM orders GROUP BY 1;
--    tenant_id | count
--   -----------+-------
--    acme      |     2
--    globex    |     1
--   (2 rows)
ALTER POLICY orders_select ON orders
    USING (tenant_id = current_setting('app.tenant', true) OR current_setting('app.tenant', true) IS NULL);
