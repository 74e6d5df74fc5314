-- A user-defined function marked LEAKPROOF.
CREATE FUNCTION same_text(a text, b text) RETURNS boolean
    LANGUAGE sql IMMUTABLE LEAKPROOF
    AS $$ SELECT a = b $$;
