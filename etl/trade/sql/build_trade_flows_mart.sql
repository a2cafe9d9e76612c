-- marts.trade_flows: bilateral rows only (World and other aggregate partners stay in
-- core.trade_flows); re-exports and re-imports are kept with counts_as_origin = false.
-- Synthetic rows are left out unless $include_synthetic; is_synthetic marks them when kept.
CREATE OR REPLACE TABLE marts.trade_flows AS
SELECT *
FROM trade_bilateral_flows
WHERE $include_synthetic OR NOT is_synthetic
ORDER BY year, period, hs_code, exporter, importer, reporter_side, flow, source_id
