CREATE TABLE tenants (
    id   text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO tenants (id, name) VALUES ('acme', 'Acme Corp'), ('globex', 'Globex'), ('initech', 'Initech');
GRANT USAGE ON SCHEMA public TO ${app_role};
GRANT SELECT ON tenants TO ${app_role};
