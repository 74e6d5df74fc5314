-- A read policy that asks a function which tenants the current one may read; the function reads a memberships
-- table the app role can write without any check, so a tenant can make itself a member of another.
--
-- As the app role, by hand (psql, PostgreSQL 16.4, in a transaction rolled back):
--   SET app.current_tenant = 'acme';
--   SET
--   SELECT tenant_id, count(*) FROM orders GROUP BY 1;
--    tenant_id | count
--   -----------+-------
--    acme      |     2
--   (1 row)
--
--   INSERT INTO memberships (member_tenant, of_tenant) VALUES ('acme', 'globex');
--   INSERT 0 1
--   SELECT tenant_id, count(*) FROM orders GROUP BY 1;
--    tenant_id | count
--   -----------+-------
--    acme      |     2
--    globex    |     1
--   (2 rows)
CREATE TABLE memberships (
    member_tenant text NOT NULL REFERENCES tenants (id),
    of_tenant     text NOT NULL REFERENCES tenants (id)
);
CREATE FUNCTION readable_tenants() RETURNS text[]
    LANGUAGE sql STABLE
    RETURN ARRAY(SELECT m.of_tenant FROM memberships m
                 WHERE m.member_tenant = current_setting('app.current_tenant', true));
ALTER POLICY orders_select ON orders
    USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id = ANY (readable_tenants()));
GRANT SELECT, INSERT, UPDATE ON memberships TO ${app_role};
