-- A role the app role is a member of owns the table, and RLS is not forced.
CREATE ROLE ${db}_owner NOLOGIN;
GRANT ${db}_owner TO ${app_role};
ALTER TABLE orders OWNER TO ${db}_owner;
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
