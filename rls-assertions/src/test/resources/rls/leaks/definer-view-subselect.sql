-- A definer view that filters its rows by the tenant setting, correctly, but computes a column from every
-- tenant's rows: how many orders of the same item exist across all tenants.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item, orders_of_item FROM order_popularity ORDER BY id;
--    tenant_id |     item      | orders_of_item
--   -----------+---------------+----------------
--    acme      | anvil         |              2
--    acme      | rocket skates |              1
--   (2 rows)
--
--   SET app.current_tenant = 'globex';
--   SET
--   DELETE FROM orders WHERE item = 'anvil';
--   DELETE 1
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, item, orders_of_item FROM order_popularity ORDER BY id;
--    tenant_id |     item      | orders_of_item
--   -----------+---------------+----------------
--    acme      | anvil         |              1
--    acme      | rocket skates |              1
--   (2 rows)
CREATE VIEW order_popularity AS
    SELECT o.id, o.tenant_id, o.item, (SELECT count(*) FROM orders x WHERE x.item = o.item) AS orders_of_item
    FROM orders o WHERE o.tenant_id = current_setting('app.current_tenant', true);
GRANT SELECT ON order_popularity TO ${app_role};
INSERT INTO orders (tenant_id, item, amount) VALUES ('globex', 'anvil', 5.00);
