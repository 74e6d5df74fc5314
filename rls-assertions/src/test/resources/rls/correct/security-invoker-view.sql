-- Views over tenant tables that run with the caller's rights (PG 15+).
CREATE VIEW order_totals WITH (security_invoker = true) AS
    SELECT tenant_id, sum(amount) AS total FROM orders GROUP BY tenant_id;
GRANT SELECT ON order_totals TO ${app_role};
-- a definer view over a reference table only is fine
CREATE VIEW tenant_names AS SELECT id, name FROM tenants;
GRANT SELECT ON tenant_names TO ${app_role};
