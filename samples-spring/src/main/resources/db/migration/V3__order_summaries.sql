-- A view normally reads its tables with its owner's rights, so row-level security would be checked for the owner
-- (a superuser or BYPASSRLS owner sees every tenant), not for the caller. security_invoker applies the caller's
-- policies instead (PostgreSQL 15+).
CREATE VIEW order_summaries WITH (security_invoker = true) AS
SELECT o.tenant_id,
       o.id                                          AS order_id,
       o.customer_email,
       o.status,
       o.updated_at,
       count(l.id)                                   AS line_count,
       coalesce(sum(l.quantity * l.unit_price), 0)   AS total
  FROM orders o
  LEFT JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
 GROUP BY o.tenant_id, o.id;
