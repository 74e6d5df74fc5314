-- Beside the changelog but included by nothing: editing it must not re-migrate.
SELECT 1;
