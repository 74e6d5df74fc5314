CREATE TABLE notes (id int PRIMARY KEY, tenant text NOT NULL, body text);
-- CREATE ROLE orders_app;  (a comment: not counted)
CREATE ROLE "${app_role}" LOGIN PASSWORD 'x';
GRANT SELECT, INSERT ON notes TO "${app_role}";
