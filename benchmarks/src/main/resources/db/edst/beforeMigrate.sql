-- embedded-database-spring-test row only (SpringSuite mode edst): the migrations grant to the app role, which
-- PostgreSQL keeps per server, not per database. prodlike creates it from its profile; the rollback row's harness
-- creates it before Flyway; here the application's Flyway is the only code that runs before the template is made.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${app_role}') THEN
        CREATE ROLE ${app_role} LOGIN;
    END IF;
END
$$;
