-- Mine production and reserves per edition, country and year, with shares of the world total
-- (USGS's rounded "World total" row, kept apart in core.production_world).
CREATE OR REPLACE TABLE marts.world_production AS
SELECT
    p.edition,
    p.country_iso3,
    c.name AS country_name,
    p.year,
    p.tonnes_reo,
    p.tonnes_reo / w.tonnes_reo AS share_of_world,
    p.reserves_t,
    p.reserves_t / w.reserves_t AS share_of_world_reserves,
    p.is_estimate,
    w.tonnes_reo AS world_tonnes_reo,
    w.is_rounded AS world_is_rounded,
    p.production_notes,
    p.source_id
FROM core.production AS p
JOIN core.countries AS c ON c.iso3 = p.country_iso3
LEFT JOIN core.production_world AS w USING (edition, year)
ORDER BY p.edition, p.year, p.tonnes_reo DESC NULLS LAST, p.country_iso3;
