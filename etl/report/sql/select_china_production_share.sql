-- China's mine production and share of the world per year, from the newest edition giving the year.
WITH ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY country_iso3, year ORDER BY edition DESC) AS rank_in_year
    FROM marts.world_production
    WHERE country_iso3 = 'CHN'
)
SELECT
    year, edition, tonnes_reo AS china_tonnes_reo, world_tonnes_reo, share_of_world,
    is_estimate, world_is_rounded, production_notes, source_id
FROM ranked
WHERE rank_in_year = 1
ORDER BY year
