CREATE FUNCTION current_tenant() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.current_tenant', true), '')
$$;
