-- World mine production by year, per source edition (country WLD), with the USGS qualifiers.
SELECT concat_ws('-', edition, 'WLD', CAST(year AS VARCHAR)) AS key, edition, 'WLD' AS country_iso3,
       year, tonnes_reo, qualifier, reserves_t, reserves_qualifier, is_rounded, source_id
FROM core.production_world
ORDER BY key
