-- Net import reliance by edition, country, year and material form, from the salient statistics
-- (the same rows as marts.net_import_reliance); 'E' (net exporter) has no percentage.
SELECT concat_ws('-', edition, country_iso3, CAST(year AS VARCHAR),
                 regexp_replace(item, '^net_import_reliance_', '')) AS key,
       edition, country_iso3, year,
       regexp_replace(item, '^net_import_reliance_', '') AS material_form,
       value AS nir_pct, qualifier, coalesce(qualifier = 'E', FALSE) AS is_net_exporter, source_id
FROM core.us_salient
WHERE item LIKE 'net_import_reliance%'
ORDER BY key
