-- What the service's role may do; row-level security decides on which rows.
GRANT USAGE ON SCHEMA public TO orders_app;
GRANT SELECT ON tenants TO orders_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders, order_lines TO orders_app;
GRANT SELECT ON order_summaries TO orders_app;
