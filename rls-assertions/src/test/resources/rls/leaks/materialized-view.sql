-- Materialized views have no RLS.
CREATE MATERIALIZED VIEW order_stats AS SELECT tenant_id, count(*) AS n FROM orders GROUP BY tenant_id;
GRANT SELECT ON order_stats TO ${app_role};
