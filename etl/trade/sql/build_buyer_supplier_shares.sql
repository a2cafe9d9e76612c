-- marts.buyer_supplier_shares: per buyer, commodity, year and currency, each supplier's share
-- of value and of tonnes, the suppliers' HHI (0-10,000) and China's share.
-- Buyers: every importing country (all its partners, EU members' intra-EU partners included),
-- and 'EU27' (buyer_kind 'bloc'): the EU members' imports in EUR from partners outside the EU
-- only ($eu27 lists the members). Shares are computed within one currency, never across EUR
-- and USD; value_usd and buyer_value_usd are null for EUR reports (no sourced rate).
-- Basis: importer-reported imports, or BACI's reconciled flows (reporter_side says which);
-- the two are never mixed. Re-exports are not origins and are not counted. A heading
-- (code_kind 'heading', e.g. Japan's 2846) is its own commodity, never added to its children;
-- groups of summed codes are not buyer-side and never appear. is_complete = false marks a
-- report known to miss partners (a missing partner is not a zero).
-- Reruns are byte-identical: sums are exact (DECIMAL(38,6), then DOUBLE) and the HHI, a sum of
-- squared doubles whose parallel order varies, is rounded to 6 decimals (docs/operations.md).
CREATE OR REPLACE TABLE marts.buyer_supplier_shares AS
WITH flows AS (
    SELECT year, importer AS buyer, 'country' AS buyer_kind, hs_code, code_kind, currency,
        reporter_side, is_synthetic, source_id, exporter AS supplier, value, tonnes,
        is_complete
    FROM core.trade_flows_yearly
    WHERE reporter_side IN ('importer', 'reconciled') AND code_kind <> 'group'
    UNION ALL
    SELECT year, 'EU27', 'bloc', hs_code, code_kind, currency, reporter_side, is_synthetic,
        source_id, exporter, value, tonnes, is_complete
    FROM core.trade_flows_yearly
    WHERE reporter_side = 'importer' AND currency = 'EUR' AND code_kind <> 'group'
        AND list_contains($eu27, importer) AND NOT list_contains($eu27, exporter)
),
base AS (
    SELECT
        year, buyer, buyer_kind, hs_code, code_kind, currency, reporter_side, is_synthetic,
        source_id, supplier,
        CAST(sum(CAST(value AS DECIMAL(38, 6))) AS DOUBLE) AS value,
        CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) AS DOUBLE) AS tonnes,
        bool_and(is_complete) AS is_complete
    FROM flows
    GROUP BY ALL
),
shared AS (
    SELECT
        *,
        value / nullif(CAST(sum(CAST(value AS DECIMAL(38, 6))) OVER w AS DOUBLE), 0)
            AS share_value,
        tonnes / nullif(CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) OVER w AS DOUBLE), 0)
            AS share_tonnes,
        CAST(sum(CAST(value AS DECIMAL(38, 6))) OVER w AS DOUBLE) AS buyer_value,
        CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) OVER w AS DOUBLE) AS buyer_tonnes,
        count(*) OVER w AS supplier_count,
        bool_and(is_complete) OVER w AS report_complete
    FROM base
    WINDOW w AS (
        PARTITION BY year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id
    )
)
SELECT
    year, buyer, hs_code, supplier,
    CASE WHEN currency = 'USD' THEN value END AS value_usd,
    tonnes, share_value, share_tonnes,
    CASE WHEN currency = 'USD' THEN buyer_value END AS buyer_value_usd,
    buyer_tonnes, supplier_count,
    round(sum(power(100 * share_value, 2)) OVER w, 6) AS hhi_value,
    round(sum(power(100 * share_tonnes, 2)) OVER w, 6) AS hhi_tonnes,
    coalesce(sum(share_value) FILTER (WHERE supplier = 'CHN') OVER w, 0) AS china_share_value,
    coalesce(sum(share_tonnes) FILTER (WHERE supplier = 'CHN') OVER w, 0) AS china_share_tonnes,
    reporter_side, is_synthetic, source_id,
    value, currency, buyer_value, buyer_kind, code_kind, report_complete AS is_complete
FROM shared
WINDOW w AS (PARTITION BY year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id)
ORDER BY year, buyer, hs_code, currency, reporter_side, source_id, value DESC, supplier
