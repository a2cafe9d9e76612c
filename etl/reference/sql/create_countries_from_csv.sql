CREATE OR REPLACE TEMP TABLE trade_countries AS
SELECT iso3, name FROM read_csv($path, header = true, all_varchar = true)
