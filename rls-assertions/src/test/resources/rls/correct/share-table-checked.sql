-- Documents shared through a shares table that the app role can write, but only rows that share the acting
-- tenant's own documents (RLS on shares with a WITH CHECK on the granting column).
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   INSERT INTO shares (owner_tenant, grantee_tenant) VALUES ('globex', 'acme');
--   ERROR:  new row violates row-level security policy for table "shares"
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
ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE shares FORCE ROW LEVEL SECURITY;
CREATE POLICY shares_visible ON shares FOR SELECT
    USING (owner_tenant = current_setting('app.current_tenant', true)
           OR grantee_tenant = current_setting('app.current_tenant', true));
CREATE POLICY shares_grant_own ON shares FOR INSERT
    WITH CHECK (owner_tenant = current_setting('app.current_tenant', true));
CREATE POLICY shares_revoke_own ON shares FOR DELETE
    USING (owner_tenant = current_setting('app.current_tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO ${app_role};
GRANT USAGE ON SEQUENCE documents_id_seq TO ${app_role};
GRANT SELECT, INSERT, DELETE ON shares TO ${app_role};
INSERT INTO documents (tenant_id, title) VALUES ('acme', 'acme plan'), ('globex', 'globex plan');
