-- The pre-security_invoker pattern: a view that runs with its owner's rights (a superuser's) and filters by the
-- tenant setting itself. Correct: what a tenant reads through it depends on its own rows only.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item FROM my_orders;
--    tenant_id |     item
--   -----------+---------------
--    acme      | anvil
--    acme      | rocket skates
--   (2 rows)
--
--   SET app.current_tenant = 'globex';
--   SET
--   DELETE FROM orders;
--   DELETE 1
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item FROM my_orders;
--    tenant_id |     item
--   -----------+---------------
--    acme      | anvil
--    acme      | rocket skates
--   (2 rows)
CREATE VIEW my_orders AS
    SELECT id, tenant_id, item, amount FROM orders WHERE tenant_id = current_setting('app.current_tenant', true);
GRANT SELECT ON my_orders TO ${app_role};
