-- marts.mirror_discrepancy: what the exporter says it sent vs what the importer says it got,
-- per pair, commodity, year and currency. Gap = importer-reported minus exporter-reported
-- (imports are CIF, exports FOB, so a small positive gap is normal).
-- Matching: the same hs_code on both sides, nothing else. A 4-digit heading (2846) matches
-- only a heading, never the sum of its children; a group of summed codes (China's
-- '280530+284690+850511') matches only the same group, and no importer reports one, so such
-- rows stay one-sided. Rows seen from one side only are kept with has_both = false and
-- match_note saying why. A year summed from months says so (exporter_months_reported).
CREATE OR REPLACE TABLE marts.mirror_discrepancy AS
WITH x AS (
    SELECT year, exporter, importer, hs_code, currency, is_synthetic,
        any_value(code_kind) AS code_kind,
        sum(value) AS value, sum(value_usd) AS value_usd, sum(tonnes) AS tonnes,
        min(months_reported) AS months_reported,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS source_id
    FROM core.trade_flows_yearly WHERE reporter_side = 'exporter' GROUP BY ALL
),
m AS (
    SELECT year, exporter, importer, hs_code, currency, is_synthetic,
        any_value(code_kind) AS code_kind,
        sum(value) AS value, sum(value_usd) AS value_usd, sum(tonnes) AS tonnes,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS source_id
    FROM core.trade_flows_yearly WHERE reporter_side = 'importer' GROUP BY ALL
)
SELECT
    year, exporter, importer, hs_code,
    coalesce(x.code_kind, m.code_kind) AS code_kind,
    currency,
    x.value AS exporter_reported_value,
    m.value AS importer_reported_value,
    x.value_usd AS exporter_reported_value_usd,
    m.value_usd AS importer_reported_value_usd,
    m.value - x.value AS value_gap,
    m.value_usd - x.value_usd AS value_gap_usd,
    100 * (m.value - x.value) / nullif(x.value, 0) AS value_gap_pct,
    x.tonnes AS exporter_reported_tonnes,
    m.tonnes AS importer_reported_tonnes,
    m.tonnes - x.tonnes AS tonnes_gap,
    x.months_reported AS exporter_months_reported,
    x.value IS NOT NULL AND m.value IS NOT NULL AS has_both,
    CASE
        WHEN x.value IS NOT NULL AND m.value IS NOT NULL THEN 'same code, both sides'
        WHEN coalesce(x.code_kind, m.code_kind) = 'group'
            THEN 'group of summed codes: the importer reports its codes separately, and a '
                || 'group is never split or compared with part of its codes'
        WHEN x.value IS NULL THEN 'no exporter-reported flow of this code and year'
        ELSE 'no importer-reported flow of this code and year'
    END AS match_note,
    is_synthetic,
    x.source_id AS exporter_source_id,
    m.source_id AS importer_source_id
FROM x FULL OUTER JOIN m USING (year, exporter, importer, hs_code, currency, is_synthetic)
ORDER BY year, hs_code, exporter, importer, currency
