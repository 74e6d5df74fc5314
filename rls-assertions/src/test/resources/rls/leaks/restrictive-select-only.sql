-- A broad permissive policy narrowed by a RESTRICTIVE policy that covers SELECT only: reads are confined, but
-- UPDATE, DELETE and INSERT are governed by the broad policy alone.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, count(*) FROM orders GROUP BY 1;
--    tenant_id | count
--   -----------+-------
--    acme      |     2
--   (1 row)
--
--   DELETE FROM orders;
--   DELETE 3
--   INSERT INTO orders (tenant_id, item) VALUES ('globex', 'planted by acme');
--   INSERT 0 1
DROP POLICY orders_select ON orders;
DROP POLICY orders_insert ON orders;
DROP POLICY orders_update ON orders;
DROP POLICY orders_delete ON orders;
CREATE POLICY orders_app ON orders FOR ALL USING (true) WITH CHECK (true);
CREATE POLICY orders_tenant_read ON orders AS RESTRICTIVE FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true));
