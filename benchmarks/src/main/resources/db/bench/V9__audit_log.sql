CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants (id),
    entity     text NOT NULL,
    entity_id  bigint NOT NULL,
    action     text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
