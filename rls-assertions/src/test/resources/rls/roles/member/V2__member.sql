-- the app role itself is clean, but it may SET ROLE to a role with BYPASSRLS
CREATE ROLE ${app_role}_admin NOLOGIN BYPASSRLS;
GRANT ${app_role}_admin TO ${app_role};
