-- Mine production by country and year, per source edition.
SELECT concat_ws('-', edition, country_iso3, CAST(year AS VARCHAR)) AS key, edition,
       country_iso3, year, tonnes_reo, is_estimate, reserves_t, production_notes,
       reserves_notes, source_id
FROM core.production
ORDER BY key
