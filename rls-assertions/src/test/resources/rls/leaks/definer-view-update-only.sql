-- The same definer view with UPDATE only: an UPDATE without WHERE changes every tenant's rows.
CREATE VIEW order_entry AS SELECT id, tenant_id, item, amount FROM orders;
GRANT UPDATE ON order_entry TO ${app_role};
