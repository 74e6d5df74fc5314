-- A read policy that trusts a table the app role can write: documents are visible to their tenant and to every
-- tenant the owner shared them with, and any tenant may insert into shares, so a tenant can share another
-- tenant's documents with itself.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, title FROM documents;
--    tenant_id |   title
--   -----------+-----------
--    acme      | acme plan
--   (1 row)
--
--   INSERT INTO shares (owner_tenant, grantee_tenant) VALUES ('globex', 'acme');
--   INSERT 0 1
--   SELECT tenant_id, title FROM documents;
--    tenant_id |    title
--   -----------+-------------
--    acme      | acme plan
--    globex    | globex plan
--   (2 rows)
CREATE TABLE documents (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    title     text NOT NULL
);
CREATE TABLE shares (
    owner_tenant   text NOT NULL REFERENCES tenants (id),
    grantee_tenant text NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (owner_tenant, grantee_tenant)
);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON documents FOR SELECT
    USING (tenant_id = current_setting('app.current_tenant', true)
           OR tenant_id IN (SELECT owner_tenant FROM shares
                            WHERE grantee_tenant = current_setting('app.current_tenant', true)));
CREATE POLICY documents_write ON documents FOR ALL
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO ${app_role};
GRANT USAGE ON SEQUENCE documents_id_seq TO ${app_role};
GRANT SELECT, INSERT, DELETE ON shares TO ${app_role};
INSERT INTO documents (tenant_id, title) VALUES ('acme', 'acme plan'), ('globex', 'globex plan');
