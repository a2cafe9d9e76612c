-- The production core tables' added columns, so a warehouse built before them keeps loading
-- (the tables themselves are created from the first loaded frame), and core.us_salient, which
-- the marts read even when no salient-statistics file has been loaded yet.
ALTER TABLE IF EXISTS core.production ADD COLUMN IF NOT EXISTS qualifier VARCHAR;
ALTER TABLE IF EXISTS core.production ADD COLUMN IF NOT EXISTS reserves_qualifier VARCHAR;
ALTER TABLE IF EXISTS core.production_world ADD COLUMN IF NOT EXISTS qualifier VARCHAR;
ALTER TABLE IF EXISTS core.production_world ADD COLUMN IF NOT EXISTS reserves_qualifier VARCHAR;
CREATE TABLE IF NOT EXISTS core.us_salient (
    edition VARCHAR,
    country_iso3 VARCHAR,
    commodity VARCHAR,
    year INTEGER,
    item VARCHAR,
    value DOUBLE,
    qualifier VARCHAR,
    unit VARCHAR,
    element_symbol VARCHAR,
    source_column VARCHAR,
    source_id VARCHAR,
    source_file VARCHAR,
    source_row BIGINT
);
