-- A default tenant for the app role: every fresh or reset connection is acme.
ALTER ROLE ${app_role} IN DATABASE ${db} SET app.current_tenant = 'acme';
