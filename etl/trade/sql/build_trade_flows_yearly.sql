-- core.trade_flows_yearly: origin flows per year, one source per report.
-- A report is what one reporter says about one product and year from one side (importer,
-- exporter; or the reconciled BACI table). When several sources hold the same report, the one
-- kept is: official before derived before press reports; annual before monthly sums; the
-- newest HS revision; the newest release; then source_id. Monthly rows are summed to the year
-- (months_reported says how many months) only when that is the best report left.
-- Built from core (trade_bilateral_flows); synthetic rows only with $include_synthetic.
-- Values stay in their currency (value, currency; value_usd only for USD reports). CN8 rows
-- are summed to their HS6; a heading (code_kind 'heading') and a group of summed codes
-- ('group') are their own hs_code, never added to the codes they hold.
CREATE OR REPLACE TABLE core.trade_flows_yearly AS
WITH origin AS (
    SELECT * FROM trade_bilateral_flows
    WHERE ($include_synthetic OR NOT is_synthetic) AND counts_as_origin AND exporter <> importer
    ORDER BY year, period, hs_code, exporter, importer, reporter_side, flow, source_id
),
rolled AS (
    SELECT
        year, exporter, importer, hs_code, classification, reporter_side, flow, release,
        is_synthetic, source_id, freq, currency, code_kind,
        CASE reporter_side WHEN 'importer' THEN importer WHEN 'exporter' THEN exporter END
            AS reporter,
        sum(tonnes) AS tonnes,
        sum(value_usd) AS value_usd,
        sum(value) AS value,
        bool_and(is_complete) AS is_complete,
        CASE WHEN any_value(freq) = 'A' THEN 12 ELSE count(DISTINCT month) END AS months_reported
    FROM origin
    GROUP BY
        year, exporter, importer, hs_code, classification, reporter_side, flow, release,
        is_synthetic, source_id, freq, currency, code_kind
),
reports AS (
    SELECT DISTINCT
        r.year, r.hs_code, r.reporter_side, r.reporter, r.is_synthetic, r.source_id, r.freq,
        r.classification, r.release,
        CASE k.kind WHEN 'official' THEN 1 WHEN 'derived' THEN 2 WHEN 'press_report' THEN 3
            ELSE 4 END AS kind_rank
    FROM rolled AS r
    LEFT JOIN trade_source_kinds AS k USING (source_id)
),
best AS (
    SELECT * FROM reports
    QUALIFY row_number() OVER (
        PARTITION BY year, hs_code, reporter_side, reporter, is_synthetic
        ORDER BY kind_rank, freq, classification DESC NULLS LAST, release DESC NULLS LAST,
            source_id
    ) = 1
)
SELECT
    r.year, r.exporter, r.importer, r.hs_code, r.classification, r.reporter_side, r.flow,
    r.tonnes, r.value_usd, r.freq, r.months_reported, r.release, r.is_synthetic, r.source_id,
    r.value, r.currency, r.code_kind, r.is_complete
FROM rolled AS r
SEMI JOIN best AS b
    ON r.year = b.year AND r.hs_code = b.hs_code AND r.reporter_side = b.reporter_side
    AND r.reporter IS NOT DISTINCT FROM b.reporter AND r.is_synthetic = b.is_synthetic
    AND r.source_id = b.source_id AND r.freq = b.freq
    AND r.classification IS NOT DISTINCT FROM b.classification
    AND r.release IS NOT DISTINCT FROM b.release
ORDER BY ALL
