-- The base schema as migrated: FORCE, one confined policy per command, a reference table without RLS.
SELECT 1;
