CREATE TABLE payments (
    id          bigserial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    order_id    bigint NOT NULL REFERENCES orders (id),
    amount_cents bigint NOT NULL,
    method      text NOT NULL,
    paid_at     timestamptz NOT NULL DEFAULT now()
);
