-- An auto-updatable view owned by the migration owner (bypasses RLS), without security_invoker. The app role has
-- INSERT but not SELECT on it: it writes rows for any tenant with the owner's rights.
CREATE VIEW order_entry AS SELECT id, tenant_id, item, amount FROM orders;
GRANT INSERT ON order_entry TO ${app_role};
