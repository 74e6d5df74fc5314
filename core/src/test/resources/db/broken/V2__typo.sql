-- A migration with a typo on its third line.
CREATE TABLE gadgets (id int PRIMARY KEY);
CREATE TABEL gizmos (id int PRIMARY KEY);
