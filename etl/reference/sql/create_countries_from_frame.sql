CREATE OR REPLACE TEMP TABLE trade_countries AS
SELECT iso3, name FROM _reference_countries
