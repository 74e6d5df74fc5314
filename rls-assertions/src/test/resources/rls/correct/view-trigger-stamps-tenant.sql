-- A view the app role reads and inserts into; its INSTEAD OF trigger (running as the caller) ignores the tenant it
-- is given and stamps the acting tenant, so an INSERT "for another tenant" lands in the actor's own rows.
CREATE VIEW order_entry WITH (security_invoker = true) AS SELECT id, tenant_id, item, amount FROM orders;
CREATE FUNCTION order_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders (tenant_id, item, amount)
        VALUES (current_setting('app.current_tenant', true), NEW.item, NEW.amount);
    RETURN NEW;
END $$;
CREATE TRIGGER order_entry_insert INSTEAD OF INSERT ON order_entry FOR EACH ROW EXECUTE FUNCTION order_entry_insert();
GRANT SELECT, INSERT ON order_entry TO ${app_role};
