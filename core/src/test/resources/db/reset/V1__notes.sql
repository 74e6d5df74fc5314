-- Fixture for DatabaseResetTests: seeded tables next to tables the migrations leave empty.
CREATE TABLE plans (
    id   text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO plans (id, name) VALUES ('free', 'Free'), ('pro', 'Pro');

-- empty in the template; note_tags refers to it, so both are emptied together
CREATE TABLE notes (
    id        bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    plan      text REFERENCES plans (id),
    body      text NOT NULL
);
CREATE TABLE note_tags (
    note_id bigint NOT NULL REFERENCES notes (id),
    tag     text   NOT NULL
);

-- empty, but whoever empties it fires a trigger that leaves a trace: never reset (a test would see the trace)
CREATE TABLE audit (
    id   bigserial PRIMARY KEY,
    what text NOT NULL
);
CREATE TABLE audit_truncations (
    at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION audit_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_truncations DEFAULT VALUES;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_truncate AFTER TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_truncated();

-- empty, but a seeded table's foreign key points at it: emptying it would need the seeded table emptied too
CREATE TABLE attachments (
    id   bigserial PRIMARY KEY,
    body text NOT NULL
);
CREATE TABLE featured (
    id            integer PRIMARY KEY,
    attachment_id bigint REFERENCES attachments (id)
);
INSERT INTO featured (id, attachment_id) VALUES (1, NULL);

GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app_role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${app_role};
