-- marts.scenario_shortfall(holder_or_province, cut_fraction): cut one quota holder's
-- (holder_id) or one province's (province_id, e.g. 'CN-JX') smelting/separation capacity by
-- cut_fraction (0..1) and get each buyer's expected shortfall by commodity and year.
-- Assumptions (docs/trade.md): China's exports of every rare-earth HS code fall in proportion
-- to the capacity cut, through the holder's share of the quota; no other holder, country or
-- stock makes up the loss; each buyer keeps its supplier mix. Every buyer, EU27 included:
-- values in the report's currency (shortfall_value, currency); *_usd only for USD reports.
CREATE OR REPLACE MACRO marts.scenario_shortfall(holder_or_province, cut_fraction) AS TABLE
WITH params AS (
    SELECT
        CAST(holder_or_province AS VARCHAR) AS target,
        CASE WHEN CAST(cut_fraction AS DOUBLE) BETWEEN 0 AND 1 THEN CAST(cut_fraction AS DOUBLE)
            ELSE error('cut_fraction must be a number between 0 and 1') END AS cut
),
hit AS (
    SELECT
        year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id, quota_year,
        any_value(china_value_usd) AS china_value_usd,
        sum(value_usd_apportioned) AS exposed_value_usd,
        any_value(china_value) AS china_value,
        sum(value_apportioned) AS exposed_value,
        sum(tonnes_apportioned) AS exposed_tonnes,
        sum(holder_share) AS capacity_share_cut
    FROM marts.buyer_exposure_chain
    WHERE holder_id = (SELECT target FROM params) OR province_id = (SELECT target FROM params)
    GROUP BY ALL
),
totals AS (
    SELECT DISTINCT year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id,
        buyer_value_usd, buyer_value, buyer_tonnes
    FROM marts.buyer_supplier_shares
)
SELECT
    h.year, h.buyer, h.hs_code,
    p.target AS cut_target,
    p.cut AS cut_fraction,
    h.quota_year,
    h.capacity_share_cut,
    h.china_value_usd,
    h.exposed_value_usd,
    h.exposed_value_usd * p.cut AS shortfall_value_usd,
    h.exposed_tonnes * p.cut AS shortfall_tonnes,
    h.exposed_value * p.cut / nullif(t.buyer_value, 0)
        AS shortfall_share_of_imports,
    h.reporter_side, h.is_synthetic, h.source_id,
    h.currency,
    h.china_value,
    h.exposed_value,
    h.exposed_value * p.cut AS shortfall_value
FROM hit AS h
JOIN totals AS t USING (year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id)
CROSS JOIN params AS p
ORDER BY h.currency DESC, shortfall_value DESC NULLS LAST, h.year, h.buyer, h.hs_code
