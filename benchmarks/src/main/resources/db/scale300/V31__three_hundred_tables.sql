-- The scale row: 300 more tenant tables next to the 30-migration schema, each isolated by RLS (enabled, forced, one
-- policy with USING and WITH CHECK), indexed on the tenant, granted to the app role, with 10 rows.
DO $$
DECLARE
    t text;
BEGIN
    FOR i IN 1..300 LOOP
        t := 's' || lpad(i::text, 3, '0');
        EXECUTE format('CREATE TABLE %I (id bigserial PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants (id),'
            ' code text NOT NULL, payload text NOT NULL, amount int NOT NULL DEFAULT 0,'
            ' created_at timestamptz NOT NULL DEFAULT now())', t);
        EXECUTE format('CREATE INDEX %I ON %I (tenant_id, code)', t || '_tenant', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = current_setting(''app.current_tenant'', true))'
            ' WITH CHECK (tenant_id = current_setting(''app.current_tenant'', true))', t || '_tenant', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ${app_role}', t);
        EXECUTE format('GRANT USAGE ON SEQUENCE %I TO ${app_role}', t || '_id_seq');
        EXECUTE format('INSERT INTO %I (tenant_id, code, payload) SELECT (ARRAY[''acme'', ''globex''])[1 + g %% 2],'
            ' ''c'' || g, ''row '' || g FROM generate_series(1, 10) g', t);
    END LOOP;
END
$$;
