-- SECURITY DEFINER functions owned by a superuser that filter by the tenant setting themselves: one returning the
-- tenant's orders, one its total. Correct: their results depend on the tenant's own rows only.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item FROM my_orders();
--    tenant_id |     item
--   -----------+---------------
--    acme      | anvil
--    acme      | rocket skates
--   (2 rows)
--
--   SELECT my_order_total();
--    my_order_total
--   ----------------
--            109.50
--   (1 row)
--
--   SET app.current_tenant = 'globex';
--   SET
--   DELETE FROM orders;
--   DELETE 1
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT my_order_total();
--    my_order_total
--   ----------------
--            109.50
--   (1 row)
CREATE FUNCTION my_orders() RETURNS SETOF orders
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT * FROM orders WHERE tenant_id = current_setting('app.current_tenant', true) $$;
CREATE FUNCTION my_order_total() RETURNS numeric
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT coalesce(sum(amount), 0) FROM orders WHERE tenant_id = current_setting('app.current_tenant', true) $$;
