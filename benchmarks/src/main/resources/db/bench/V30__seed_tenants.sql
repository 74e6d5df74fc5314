INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex');
INSERT INTO customers (tenant_id, name, email) VALUES
    ('acme', 'Wile E. Coyote', 'wile@acme.test'),
    ('globex', 'Hank Scorpio', 'hank@globex.test');
INSERT INTO products (tenant_id, sku, title, price_cents) VALUES
    ('acme', 'ANVIL', 'Anvil', 9900),
    ('globex', 'DOOMSDAY', 'Doomsday device', 99999900);
