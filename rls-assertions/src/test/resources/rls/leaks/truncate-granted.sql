-- TRUNCATE ignores RLS.
GRANT TRUNCATE ON orders TO ${app_role};
