-- The same definer view with DELETE only: a DELETE without WHERE removes every tenant's rows.
CREATE VIEW order_entry AS SELECT id, tenant_id, item, amount FROM orders;
GRANT DELETE ON order_entry TO ${app_role};
