-- The orders service's production schema. Flyway runs these files as the schema owner at deploy time;
-- the service itself connects as orders_app, which owns nothing and cannot bypass row-level security.

CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE tenants (
    id   text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name text NOT NULL
);

CREATE TABLE orders (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      text        NOT NULL REFERENCES tenants (id),
    customer_email citext      NOT NULL,
    status         text        NOT NULL DEFAULT 'NEW'
                               CHECK (status IN ('NEW', 'PAID', 'SHIPPED', 'CANCELLED')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id)
);

-- Lines carry tenant_id too, so their policies need no join, and the composite key keeps a line in its order's tenant.
CREATE TABLE order_lines (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  text          NOT NULL,
    order_id   bigint        NOT NULL,
    sku        text          NOT NULL,
    quantity   integer       NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX order_lines_order ON order_lines (tenant_id, order_id);
