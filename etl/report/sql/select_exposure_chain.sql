-- The latest year of each buyer's imports from China (in the series' own currency),
-- apportioned to China's groups (by their share of the quota year) and to the groups' provinces.
WITH latest AS (
    SELECT buyer, hs_code, reporter_side, source_id, max(year) AS year
    FROM marts.buyer_exposure_chain
    GROUP BY ALL
)
SELECT
    c.buyer, c.hs_code, c.reporter_side, c.source_id, c.is_synthetic, c.currency, c.year,
    c.quota_year, c.holder_id, coalesce(c.holder_name, c.holder_id) AS holder_name,
    c.province_id, coalesce(p.name_en, c.province_id, 'unknown') AS province_name,
    p.name_zh AS province_name_zh, c.holder_share, c.china_value, c.value_apportioned,
    c.quota_is_derived
FROM marts.buyer_exposure_chain AS c
JOIN latest AS l USING (buyer, hs_code, reporter_side, source_id, year)
LEFT JOIN core.provinces AS p ON p.province_id = c.province_id
ORDER BY c.is_synthetic, c.buyer, c.hs_code, c.value_apportioned DESC NULLS LAST
