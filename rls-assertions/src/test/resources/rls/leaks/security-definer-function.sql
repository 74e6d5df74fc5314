-- A SECURITY DEFINER function owned by a superuser, executable by PUBLIC, reading a tenant table.
CREATE FUNCTION order_count(p_tenant text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT count(*) FROM orders WHERE tenant_id = p_tenant $$;
