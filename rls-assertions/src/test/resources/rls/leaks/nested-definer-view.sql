-- An invoker view over a definer view over a tenant table: the inner view leaks through the outer one.
CREATE VIEW order_items_raw AS SELECT tenant_id, item FROM orders;
CREATE VIEW order_items WITH (security_invoker = true) AS SELECT * FROM order_items_raw;
GRANT SELECT ON order_items TO ${app_role};
GRANT SELECT ON order_items_raw TO ${app_role};
