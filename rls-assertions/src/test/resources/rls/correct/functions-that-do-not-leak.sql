-- SECURITY DEFINER functions that cannot leak: one the app role cannot execute, one owned by a role bound by RLS,
-- one that reads only a reference table.
CREATE FUNCTION admin_order_count() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT count(*) FROM orders $$;
REVOKE EXECUTE ON FUNCTION admin_order_count() FROM PUBLIC;

CREATE ROLE ${db}_definer NOLOGIN;
GRANT USAGE ON SCHEMA public TO ${db}_definer;
GRANT SELECT ON orders TO ${db}_definer;
CREATE FUNCTION my_order_count() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT count(*) FROM orders $$;
ALTER FUNCTION my_order_count() OWNER TO ${db}_definer;

CREATE FUNCTION tenant_name(p_id text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT name FROM tenants WHERE id = p_id $$;

-- a materialized view the app role cannot read
CREATE MATERIALIZED VIEW order_stats AS SELECT tenant_id, count(*) AS n FROM orders GROUP BY tenant_id;
