-- A definer view the app role may only INSERT into, through an INSTEAD OF trigger whose function runs as the caller:
-- the INSERT into orders is checked by orders' policies as the app role, so no tenant writes for another.
CREATE VIEW order_entry AS SELECT id, tenant_id, item, amount FROM orders;
CREATE FUNCTION order_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders (tenant_id, item, amount) VALUES (NEW.tenant_id, NEW.item, NEW.amount);
    RETURN NEW;
END $$;
CREATE TRIGGER order_entry_insert INSTEAD OF INSERT ON order_entry FOR EACH ROW EXECUTE FUNCTION order_entry_insert();
GRANT INSERT ON order_entry TO ${app_role};
