-- Views the app role can read and write that run with the caller's rights (PG 15+): writes are checked by the
-- policies of orders as the app role.
CREATE VIEW order_entry WITH (security_invoker = true) AS SELECT id, tenant_id, item, amount FROM orders;
GRANT SELECT, INSERT, UPDATE, DELETE ON order_entry TO ${app_role};
