CREATE TABLE order_lines (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES products (id),
    quantity    int NOT NULL CHECK (quantity > 0),
    price_cents bigint NOT NULL
);
