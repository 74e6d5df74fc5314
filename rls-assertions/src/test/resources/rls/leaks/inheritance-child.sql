-- An inheritance child without RLS, readable directly by the app role.
CREATE TABLE notes (
    id        bigint NOT NULL,
    tenant_id text NOT NULL,
    body      text NOT NULL
);
CREATE TABLE notes_archive () INHERITS (notes);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));
GRANT SELECT ON notes, notes_archive TO ${app_role};
INSERT INTO notes VALUES (1, 'acme', 'a'), (2, 'globex', 'g');
INSERT INTO notes_archive VALUES (3, 'acme', 'old a'), (4, 'globex', 'old g');
