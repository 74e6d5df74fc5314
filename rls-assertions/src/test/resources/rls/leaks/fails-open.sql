-- "No tenant means admin": the policy grants every row when the setting is unset or empty.
DROP POLICY orders_select ON orders;
CREATE POLICY orders_select ON orders FOR SELECT
    USING (coalesce(current_setting('app.current_tenant', true), '') = ''
           OR tenant_id = current_setting('app.current_tenant', true));
