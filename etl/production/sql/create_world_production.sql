-- Mine production and reserves per edition, country and year, with shares of the world total
-- (USGS's rounded "World total" row, kept apart in core.production_world). Every number keeps
-- its USGS qualifier ('>' lower bound, '<', 'W' withheld, 'NA', ...): a share computed from a
-- bounded figure is bounded the same way.
CREATE OR REPLACE TABLE marts.world_production AS
SELECT
    p.edition,
    p.country_iso3,
    c.name AS country_name,
    p.year,
    p.tonnes_reo,
    p.qualifier,
    p.tonnes_reo / w.tonnes_reo AS share_of_world,
    p.reserves_t,
    p.reserves_qualifier,
    p.reserves_t / w.reserves_t AS share_of_world_reserves,
    p.is_estimate,
    w.tonnes_reo AS world_tonnes_reo,
    w.qualifier AS world_qualifier,
    w.reserves_t AS world_reserves_t,
    w.reserves_qualifier AS world_reserves_qualifier,
    w.is_rounded AS world_is_rounded,
    p.production_notes,
    p.source_id
FROM core.production AS p
JOIN core.countries AS c ON c.iso3 = p.country_iso3
LEFT JOIN core.production_world AS w USING (edition, year)
ORDER BY p.edition, p.year, p.tonnes_reo DESC NULLS LAST, p.country_iso3;
