CREATE TABLE invoices (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    order_id    bigint NOT NULL REFERENCES orders (id),
    number      text NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, number)
);
