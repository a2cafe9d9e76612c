-- Countries and aggregates.
SELECT iso3 AS key, iso2, m49, name, is_aggregate, source_id
FROM core.countries
ORDER BY iso3
