GRANT USAGE ON SCHEMA public TO orders_app;
GRANT SELECT ON tenants TO orders_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO orders_app;
GRANT USAGE ON SEQUENCE orders_id_seq TO orders_app;

INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex');
INSERT INTO orders (tenant_id, item, amount) VALUES
    ('acme', 'anvil', 10.00), ('acme', 'rocket skates', 99.50), ('globex', 'doomsday device', 1000000.00);
