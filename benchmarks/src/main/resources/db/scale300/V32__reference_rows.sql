-- The scale row's reference data: ~50 MB of rows every tenant reads (a catalogue), seeded by the migrations as real
-- services seed theirs.
CREATE TABLE ref_catalogue (
    id          bigint PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    title       text NOT NULL,
    description text NOT NULL,
    price_cents bigint NOT NULL
);
INSERT INTO ref_catalogue (id, code, title, description, price_cents)
SELECT g, 'SKU-' || g, 'Catalogue item ' || g, md5(g::text) || md5((g + 1)::text), (g % 10000) * 100
FROM generate_series(1, 240000) g;
GRANT SELECT ON ref_catalogue TO ${app_role};
