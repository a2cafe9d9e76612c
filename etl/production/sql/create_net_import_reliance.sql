-- US net import reliance on rare earths, percent of apparent consumption, by edition, year and
-- item (compounds and metals; mineral concentrates), as published in the salient statistics.
-- '>95' is 95 with qualifier '>'; 'E' (net exporter) and 'XX' (not applicable) have no number.
CREATE OR REPLACE TABLE marts.net_import_reliance AS
SELECT
    edition,
    country_iso3,
    year,
    regexp_replace(item, '^net_import_reliance_', '') AS item,
    value AS nir_pct,
    qualifier,
    coalesce(qualifier = 'E', FALSE) AS is_net_exporter,
    source_column,
    source_id
FROM core.us_salient
WHERE item LIKE 'net_import_reliance%'
ORDER BY edition, year, item;
