-- Mine production by country and year, per source edition, with the USGS qualifiers.
SELECT concat_ws('-', edition, country_iso3, CAST(year AS VARCHAR)) AS key, edition,
       country_iso3, year, tonnes_reo, qualifier, is_estimate, reserves_t, reserves_qualifier,
       production_notes, reserves_notes, source_id
FROM core.production
ORDER BY key
