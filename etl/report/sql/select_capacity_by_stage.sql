-- Published capacity per country, stage, unit and basis (units and bases never added).
SELECT
    country_iso3, country_name, outside_china, stage, capacity_unit, basis, capacity,
    capacity_max, facilities, facility_ids, first_figure_year, last_figure_year, source_ids
FROM marts.capacity_by_stage
ORDER BY capacity_unit, outside_china, country_name, stage, basis
