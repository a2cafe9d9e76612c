-- Facility capacity figures: stage, value (and upper end), unit, basis, year, status, source.
SELECT figure_id AS key, facility_id, stage, capacity_value, capacity_value_max, capacity_unit,
       basis, figure_year, status, evidence, is_derived, source_id
FROM core.facilities
ORDER BY figure_id
