-- Works on every version (PG 14 has no security_invoker): the view's owner is bound by RLS,
-- because it neither bypasses RLS nor owns the (forced) table, so policies filter by the session's tenant.
CREATE ROLE ${db}_reader NOLOGIN;
GRANT USAGE ON SCHEMA public TO ${db}_reader;
GRANT SELECT ON orders TO ${db}_reader;
CREATE VIEW order_totals AS SELECT tenant_id, sum(amount) AS total FROM orders GROUP BY tenant_id;
ALTER VIEW order_totals OWNER TO ${db}_reader;
GRANT SELECT ON order_totals TO ${app_role};
