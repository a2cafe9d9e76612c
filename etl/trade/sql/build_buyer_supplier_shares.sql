-- marts.buyer_supplier_shares: per buyer (importing country), commodity and year, each
-- supplier's share of value and of tonnes, the suppliers' HHI (0-10,000) and China's share.
-- Basis: importer-reported imports, or BACI's reconciled flows (reporter_side says which);
-- the two are never mixed. Re-exports are not origins and are not counted.
-- Reruns are byte-identical: sums are exact (DECIMAL(38,6), then DOUBLE) and the HHI, a sum of
-- squared doubles whose parallel order varies, is rounded to 6 decimals (docs/operations.md).
CREATE OR REPLACE TABLE marts.buyer_supplier_shares AS
WITH base AS (
    SELECT
        year, importer AS buyer, hs_code, reporter_side, is_synthetic, source_id,
        exporter AS supplier,
        CAST(sum(CAST(value_usd AS DECIMAL(38, 6))) AS DOUBLE) AS value_usd,
        CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) AS DOUBLE) AS tonnes
    FROM core.trade_flows_yearly
    WHERE reporter_side IN ('importer', 'reconciled')
    GROUP BY ALL
),
shared AS (
    SELECT
        *,
        value_usd / nullif(CAST(sum(CAST(value_usd AS DECIMAL(38, 6))) OVER w AS DOUBLE), 0)
            AS share_value,
        tonnes / nullif(CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) OVER w AS DOUBLE), 0)
            AS share_tonnes,
        CAST(sum(CAST(value_usd AS DECIMAL(38, 6))) OVER w AS DOUBLE) AS buyer_value_usd,
        CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) OVER w AS DOUBLE) AS buyer_tonnes,
        count(*) OVER w AS supplier_count
    FROM base
    WINDOW w AS (PARTITION BY year, buyer, hs_code, reporter_side, is_synthetic, source_id)
)
SELECT
    year, buyer, hs_code, supplier, value_usd, tonnes, share_value, share_tonnes,
    buyer_value_usd, buyer_tonnes, supplier_count,
    round(sum(power(100 * share_value, 2)) OVER w, 6) AS hhi_value,
    round(sum(power(100 * share_tonnes, 2)) OVER w, 6) AS hhi_tonnes,
    coalesce(sum(share_value) FILTER (WHERE supplier = 'CHN') OVER w, 0) AS china_share_value,
    coalesce(sum(share_tonnes) FILTER (WHERE supplier = 'CHN') OVER w, 0) AS china_share_tonnes,
    reporter_side, is_synthetic, source_id
FROM shared
WINDOW w AS (PARTITION BY year, buyer, hs_code, reporter_side, is_synthetic, source_id)
ORDER BY year, buyer, hs_code, reporter_side, source_id, value_usd DESC, supplier
