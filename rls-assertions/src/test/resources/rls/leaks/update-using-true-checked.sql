-- A FOR UPDATE policy whose USING is true beside a correct FOR SELECT: its WITH CHECK confines the new row, but
-- a blind UPDATE reaches every tenant's rows and moves them into the acting tenant.
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
--   UPDATE orders SET tenant_id = 'acme';
--   UPDATE 3
--   SELECT tenant_id, count(*) FROM orders GROUP BY 1;
--    tenant_id | count
--   -----------+-------
--    acme      |     3
--   (1 row)
DROP POLICY orders_update ON orders;
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (true)
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
