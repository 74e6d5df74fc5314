-- The app role owns the table and RLS is not forced: no policy applies to it.
ALTER TABLE orders OWNER TO ${app_role};
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
