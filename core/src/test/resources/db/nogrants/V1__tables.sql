CREATE TABLE invoices (id int PRIMARY KEY, tenant_id text NOT NULL);
