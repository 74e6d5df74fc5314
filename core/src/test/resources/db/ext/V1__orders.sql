CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);
GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT, INSERT ON notes TO ${app_role};
GRANT USAGE ON SEQUENCE notes_id_seq TO ${app_role};
