GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT ON tenants TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, products, orders, order_lines, payments, shipments, invoices TO ${app_role};
GRANT SELECT, INSERT ON audit_log TO ${app_role};
GRANT SELECT ON order_summary TO ${app_role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${app_role};
GRANT EXECUTE ON FUNCTION order_total(bigint), current_tenant() TO ${app_role};
