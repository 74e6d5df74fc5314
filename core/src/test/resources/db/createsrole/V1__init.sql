-- As a service whose first migration sets up its own login role (production runs it on an empty cluster).
CREATE TABLE notes (id int PRIMARY KEY, tenant text NOT NULL, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes USING (tenant = current_setting('app.current_tenant', true));

CREATE USER notes_svc WITH PASSWORD 'production-secret-from-the-migration';
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO notes_svc;
