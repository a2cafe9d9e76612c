-- marts.trade_flows: bilateral rows only (World and other aggregate partners stay in
-- core.trade_flows); re-exports and re-imports are kept with counts_as_origin = false.
-- Synthetic rows are left out unless $include_synthetic; is_synthetic marks them when kept.
CREATE OR REPLACE TABLE marts.trade_flows AS
WITH flows AS (
    SELECT f.*, coalesce(k.kind = 'synthetic', f.source_id = 'synthetic-trade') AS is_synthetic
    FROM core.trade_flows AS f
    LEFT JOIN trade_source_kinds AS k USING (source_id)
    WHERE NOT f.is_aggregate_partner
)
SELECT
    year,
    period,
    month,
    freq,
    exporter_iso3 AS exporter,
    importer_iso3 AS importer,
    hs_code,
    classification,
    tonnes,
    value_usd,
    reporter_side,
    flow,
    counts_as_origin,
    release,
    is_synthetic,
    source_id
FROM flows
WHERE $include_synthetic OR NOT is_synthetic
ORDER BY year, period, hs_code, exporter, importer, reporter_side, flow, source_id
