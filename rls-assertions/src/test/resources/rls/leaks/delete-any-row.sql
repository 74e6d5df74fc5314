-- The DELETE policy's USING is true.
DROP POLICY orders_delete ON orders;
CREATE POLICY orders_delete ON orders FOR DELETE USING (true);
