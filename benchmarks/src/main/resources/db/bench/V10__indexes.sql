CREATE INDEX orders_tenant_created ON orders (tenant_id, created_at DESC);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity, entity_id);
