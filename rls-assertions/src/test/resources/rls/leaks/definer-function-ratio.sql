-- A SECURITY DEFINER function without arguments that filters by the tenant setting, but divides by every
-- tenant's order count: its result moves when another tenant's orders change.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT my_share_of_orders();
--    my_share_of_orders
--   --------------------
--                0.6667
--   (1 row)
--
--   SET app.current_tenant = 'globex';
--   SET
--   DELETE FROM orders;
--   DELETE 1
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT my_share_of_orders();
--    my_share_of_orders
--   --------------------
--                1.0000
--   (1 row)
CREATE FUNCTION my_share_of_orders() RETURNS numeric
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT round(count(*) FILTER (WHERE tenant_id = current_setting('app.current_tenant', true))::numeric
                       / count(*), 4) FROM orders $$;
