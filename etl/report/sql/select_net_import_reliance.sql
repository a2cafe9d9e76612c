-- Net import reliance per country, item, year and USGS edition (qualifiers kept: '>' a lower
-- bound, 'E' net exporter).
SELECT edition, country_iso3, year, item, nir_pct, qualifier, is_net_exporter, source_id
FROM marts.net_import_reliance
ORDER BY country_iso3, item, edition, year
