ALTER TABLE orders ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE customers ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
