-- Facilities and their operators (name, place and source from the facility's first figure).
SELECT facility_id AS key, arg_min(name, source_row) AS name,
       arg_min(operator_id, source_row) AS operator_id,
       arg_min(country_iso3, source_row) AS country_iso3,
       arg_min(location, source_row) AS location,
       arg_min(source_id, source_row) AS source_id
FROM core.facilities
GROUP BY facility_id
ORDER BY facility_id
