-- marts.mirror_discrepancy: what the exporter says it sent vs what the importer says it got,
-- per pair, commodity and year. Gap = importer-reported minus exporter-reported (imports are
-- CIF, exports FOB, so a small positive gap is normal). Pairs seen from one side only are kept
-- with has_both = false.
CREATE OR REPLACE TABLE marts.mirror_discrepancy AS
WITH x AS (
    SELECT year, exporter, importer, hs_code, is_synthetic,
        sum(value_usd) AS value_usd, sum(tonnes) AS tonnes, any_value(source_id) AS source_id
    FROM core.trade_flows_yearly WHERE reporter_side = 'exporter' GROUP BY ALL
),
m AS (
    SELECT year, exporter, importer, hs_code, is_synthetic,
        sum(value_usd) AS value_usd, sum(tonnes) AS tonnes, any_value(source_id) AS source_id
    FROM core.trade_flows_yearly WHERE reporter_side = 'importer' GROUP BY ALL
)
SELECT
    year, exporter, importer, hs_code,
    x.value_usd AS exporter_reported_value_usd,
    m.value_usd AS importer_reported_value_usd,
    m.value_usd - x.value_usd AS value_gap_usd,
    100 * (m.value_usd - x.value_usd) / nullif(x.value_usd, 0) AS value_gap_pct,
    x.tonnes AS exporter_reported_tonnes,
    m.tonnes AS importer_reported_tonnes,
    m.tonnes - x.tonnes AS tonnes_gap,
    x.value_usd IS NOT NULL AND m.value_usd IS NOT NULL AS has_both,
    is_synthetic,
    x.source_id AS exporter_source_id,
    m.source_id AS importer_source_id
FROM x FULL OUTER JOIN m USING (year, exporter, importer, hs_code, is_synthetic)
ORDER BY year, hs_code, exporter, importer
