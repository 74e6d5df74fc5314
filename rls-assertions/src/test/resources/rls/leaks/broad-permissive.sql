-- A broad permissive policy next to the correct one: permissive policies are OR-ed.
CREATE POLICY orders_support ON orders FOR SELECT USING (true);
