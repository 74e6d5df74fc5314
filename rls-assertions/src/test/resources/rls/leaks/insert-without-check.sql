-- The INSERT policy checks nothing: a tenant can write rows for another.
DROP POLICY orders_insert ON orders;
CREATE POLICY orders_insert ON orders FOR INSERT WITH CHECK (true);
