CREATE TABLE widgets (id int PRIMARY KEY);
