-- A uuid tenant column, policies through a helper function, and a trigger that stamps the tenant on insert.
CREATE FUNCTION app_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.current_tenant', true), '')::uuid $$;
CREATE TABLE documents (
    id        bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL,
    title     text NOT NULL
);
CREATE FUNCTION stamp_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tenant_id := app_current_tenant();
    RETURN NEW;
END $$;
CREATE TRIGGER documents_stamp BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION stamp_tenant();
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_tenant ON documents
    USING (tenant_id = app_current_tenant())
    WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON documents TO ${app_role};
GRANT USAGE ON SEQUENCE documents_id_seq TO ${app_role};
ALTER TABLE documents DISABLE TRIGGER documents_stamp;
INSERT INTO documents (tenant_id, title) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'plan a'), ('00000000-0000-0000-0000-00000000000b', 'plan b');
ALTER TABLE documents ENABLE TRIGGER documents_stamp;
