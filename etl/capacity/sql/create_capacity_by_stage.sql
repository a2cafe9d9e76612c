-- Facility capacity by country, stage, unit and basis. Figures in different units (t REO,
-- t NdPr oxide, t magnets ...) or on different bases (nameplate, target, actual, estimate) are
-- never added together. Each facility counts once per stage, unit and basis: its latest figure
-- (latest figure year, then the largest value of that year). capacity adds the published
-- values (the lower end of a range); capacity_max adds the upper ends where a range is given.
CREATE OR REPLACE TABLE marts.capacity_by_stage AS
WITH latest AS (
    SELECT *
    FROM core.facilities
    QUALIFY row_number() OVER (
        PARTITION BY facility_id, stage, capacity_unit, basis
        ORDER BY figure_year DESC, capacity_value DESC, source_row) = 1
)
SELECT
    f.country_iso3, c.name AS country_name, f.country_iso3 <> 'CHN' AS outside_china,
    f.stage, f.capacity_unit, f.basis,
    sum(f.capacity_value) AS capacity,
    sum(coalesce(f.capacity_value_max, f.capacity_value)) AS capacity_max,
    count(*) AS facilities,
    string_agg(f.facility_id, ',' ORDER BY f.facility_id) AS facility_ids,
    min(f.figure_year) AS first_figure_year, max(f.figure_year) AS last_figure_year,
    string_agg(DISTINCT f.source_id, ',' ORDER BY f.source_id) AS source_ids
FROM latest AS f
LEFT JOIN core.countries AS c ON c.iso3 = f.country_iso3
GROUP BY ALL
ORDER BY f.stage, f.capacity_unit, f.basis, f.country_iso3;
