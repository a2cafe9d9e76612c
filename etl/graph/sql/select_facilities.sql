-- Facilities and their operators.
SELECT facility_id AS key, name, operator_id, province_id, country_iso3,
       capacity_t_reo_per_year, products, feedstock, status, source_id
FROM core.facilities
ORDER BY facility_id
