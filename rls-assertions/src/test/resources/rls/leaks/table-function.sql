-- A set-returning SECURITY DEFINER function that takes the tenant as an argument: as globex, orders_of('acme')
-- returns acme's rows.
CREATE FUNCTION orders_of(p_tenant text) RETURNS SETOF orders
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT * FROM orders WHERE tenant_id = p_tenant $$;
