-- marts.buyer_exposure_chain: a buyer's imports from China, apportioned to the Chinese holders
-- of smelting/separation quota (and their provinces) by each holder's share of the quota.
-- Quota year: the latest year with holder figures not after the trade year (the earliest such
-- year for trade before it). Within that year, batches whose holder split is complete
-- (shares of the batch sum to >= 99.5%) are used; if none is complete, all batches are. The
-- 'annual' rows are used only when a year has no numbered batches.
-- Every buyer of marts.buyer_supplier_shares, EU27 included; values stay in their currency
-- (china_value, value_apportioned, currency; the *_usd columns only for USD reports).
CREATE OR REPLACE TABLE marts.buyer_exposure_chain AS
WITH quota AS (
    SELECT year AS quota_year, CAST(batch AS VARCHAR) AS batch, holder_id, holder_name,
        tonnes_reo, share_of_batch, is_derived, source_id
    FROM marts.quota_by_holder
    WHERE quota_type = 'smelting_separation' AND ore_type = 'all' AND tonnes_reo > 0
),
numbered AS (
    SELECT quota_year, bool_or(batch <> 'annual') AS has_numbered FROM quota GROUP BY ALL
),
batches AS (
    SELECT q.quota_year, q.batch, sum(q.share_of_batch) >= 0.995 AS complete
    FROM quota AS q JOIN numbered AS n USING (quota_year)
    WHERE q.batch <> 'annual' OR NOT n.has_numbered
    GROUP BY ALL
),
years AS (
    SELECT quota_year, bool_or(complete) AS any_complete FROM batches GROUP BY ALL
),
used AS (
    SELECT q.*
    FROM quota AS q
    JOIN batches AS b USING (quota_year, batch)
    JOIN years AS y USING (quota_year)
    WHERE b.complete OR NOT y.any_complete
),
holders AS (
    SELECT
        quota_year, holder_id, any_value(holder_name) AS holder_name,
        sum(tonnes_reo) AS quota_tonnes_reo,
        string_agg(DISTINCT batch, ',' ORDER BY batch) AS quota_batches,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS quota_source_ids,
        bool_or(is_derived) AS quota_is_derived
    FROM used
    GROUP BY quota_year, holder_id
),
shares AS (
    SELECT *, quota_tonnes_reo / sum(quota_tonnes_reo) OVER (PARTITION BY quota_year)
        AS holder_share
    FROM holders
),
china AS (
    SELECT DISTINCT year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id,
        value_usd, value, tonnes
    FROM marts.buyer_supplier_shares
    WHERE supplier = 'CHN'
),
picked AS (
    SELECT c.*, coalesce(
        (SELECT max(quota_year) FROM shares AS s WHERE s.quota_year <= c.year),
        (SELECT min(quota_year) FROM shares)
    ) AS quota_year
    FROM china AS c
)
SELECT
    p.year, p.buyer, p.hs_code, p.reporter_side,
    p.value_usd AS china_value_usd,
    p.tonnes AS china_tonnes,
    s.quota_year, s.quota_batches, s.holder_id, s.holder_name,
    coalesce(o.hq_province_id, CASE WHEN s.holder_id LIKE 'CN-%' THEN s.holder_id END)
        AS province_id,
    s.quota_tonnes_reo, s.holder_share,
    p.value_usd * s.holder_share AS value_usd_apportioned,
    p.tonnes * s.holder_share AS tonnes_apportioned,
    s.quota_is_derived, s.quota_source_ids,
    p.is_synthetic,
    p.source_id,
    p.currency,
    p.value AS china_value,
    p.value * s.holder_share AS value_apportioned
FROM picked AS p
JOIN shares AS s USING (quota_year)
LEFT JOIN core.organisations AS o ON o.org_id = s.holder_id
ORDER BY p.year, p.buyer, p.hs_code, p.currency, p.reporter_side, p.source_id,
    s.holder_share DESC,
    s.holder_id
