-- A view owned by the migration owner (a superuser), without security_invoker.
CREATE VIEW order_totals AS SELECT tenant_id, sum(amount) AS total FROM orders GROUP BY tenant_id;
GRANT SELECT ON order_totals TO ${app_role};
