CREATE VIEW order_summary WITH (security_invoker = true) AS
    SELECT o.tenant_id, o.id, o.status, order_total(o.id) AS total_cents, c.name AS customer
    FROM orders o JOIN customers c ON c.id = o.customer_id;
