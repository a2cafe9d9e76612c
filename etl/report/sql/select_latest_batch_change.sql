-- Holders' and national figures of the latest batch of each quota type, with the change from
-- the previous batch of the same year and from the same batch a year earlier.
WITH latest AS (
    SELECT quota_type, max(year * 10 + TRY_CAST(batch AS INTEGER)) AS code
    FROM marts.quota_change
    WHERE batch <> 'annual'
    GROUP BY quota_type
)
SELECT
    c.year, c.batch, c.quota_type, c.scope, c.holder_id, c.holder_name, c.tonnes_reo,
    c.prev_batch_tonnes_reo, c.batch_change, c.prev_year_tonnes_reo, c.yoy_change, c.is_derived
FROM marts.quota_change AS c
JOIN latest AS l
    ON c.quota_type = l.quota_type
    AND c.batch <> 'annual'
    AND c.year * 10 + TRY_CAST(c.batch AS INTEGER) = l.code
ORDER BY c.quota_type, c.scope DESC, c.tonnes_reo DESC
