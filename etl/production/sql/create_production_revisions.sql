-- How each country-year figure moved between USGS editions: every edition's figure (countries
-- and the world total, WLD) beside the previous edition's figure for the same country and year.
-- The first edition that reports a country-year has no previous figure.
CREATE OR REPLACE TABLE marts.production_revisions AS
WITH figures AS (
    SELECT edition, country_iso3, year, tonnes_reo, qualifier, is_estimate, source_id
    FROM core.production
    UNION ALL
    SELECT edition, 'WLD' AS country_iso3, year, tonnes_reo, qualifier, NULL AS is_estimate,
           source_id
    FROM core.production_world
),
shares AS (
    SELECT f.*, f.tonnes_reo / w.tonnes_reo AS share_of_world
    FROM figures AS f
    LEFT JOIN core.production_world AS w USING (edition, year)
),
ordered AS (
    SELECT
        s.*,
        lag(edition) OVER k AS previous_edition,
        lag(tonnes_reo) OVER k AS previous_tonnes_reo,
        lag(qualifier) OVER k AS previous_qualifier,
        lag(share_of_world) OVER k AS previous_share_of_world,
        lag(source_id) OVER k AS previous_source_id,
        count(*) OVER (PARTITION BY country_iso3, year) AS editions_reporting
    FROM shares AS s
    WINDOW k AS (PARTITION BY country_iso3, year ORDER BY edition)
)
SELECT
    o.country_iso3,
    c.name AS country_name,
    o.year,
    o.edition,
    o.tonnes_reo,
    o.qualifier,
    o.is_estimate,
    o.share_of_world,
    o.previous_edition,
    o.previous_tonnes_reo,
    o.previous_qualifier,
    o.previous_share_of_world,
    o.tonnes_reo - o.previous_tonnes_reo AS change_t,
    CASE WHEN o.previous_tonnes_reo > 0
         THEN (o.tonnes_reo - o.previous_tonnes_reo) / o.previous_tonnes_reo END AS change_pct,
    o.editions_reporting,
    o.source_id,
    o.previous_source_id
FROM ordered AS o
JOIN core.countries AS c ON c.iso3 = o.country_iso3
ORDER BY o.country_iso3, o.year, o.edition;
