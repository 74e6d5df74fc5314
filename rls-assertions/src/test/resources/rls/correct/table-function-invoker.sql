-- The same set-returning function running with the caller's rights: orders' policies still apply inside it, so
-- orders_of('acme') as globex returns nothing.
CREATE FUNCTION orders_of(p_tenant text) RETURNS SETOF orders
    LANGUAGE sql STABLE
    AS $$ SELECT * FROM orders WHERE tenant_id = p_tenant $$;
CREATE FUNCTION my_orders() RETURNS TABLE (tenant_id text, item text)
    LANGUAGE sql STABLE
    AS $$ SELECT tenant_id, item FROM orders $$;
