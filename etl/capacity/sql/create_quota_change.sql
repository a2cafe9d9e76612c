-- Year-on-year (same batch, previous year) and batch-on-batch (previous batch, same year)
-- change per holder and nationally (holder_id 'CHN'). Holder figures are summed over ore types.
CREATE OR REPLACE TABLE marts.quota_change AS
WITH totals AS (
    SELECT year, batch, quota_type, 'national' AS scope, holder_id, tonnes_reo AS tonnes,
           bool_or(is_derived) AS is_derived
    FROM core.quotas
    WHERE scope = 'national' AND ore_type = 'all'
    GROUP BY ALL
    UNION ALL
    SELECT year, batch, quota_type, 'group', holder_id, sum(tonnes_reo), bool_or(is_derived)
    FROM core.quotas
    WHERE scope = 'group'
    GROUP BY year, batch, quota_type, holder_id
)
SELECT
    t.year,
    t.batch,
    t.quota_type,
    t.scope,
    t.holder_id,
    coalesce(o.name, c.name) AS holder_name,
    t.tonnes AS tonnes_reo,
    py.tonnes AS prev_year_tonnes_reo,
    t.tonnes - py.tonnes AS yoy_change,
    (t.tonnes - py.tonnes) / nullif(py.tonnes, 0) AS yoy_pct,
    pb.tonnes AS prev_batch_tonnes_reo,
    t.tonnes - pb.tonnes AS batch_change,
    (t.tonnes - pb.tonnes) / nullif(pb.tonnes, 0) AS batch_pct,
    t.is_derived
FROM totals AS t
LEFT JOIN totals AS py
    ON py.scope = t.scope AND py.holder_id = t.holder_id AND py.quota_type = t.quota_type
    AND py.batch = t.batch AND py.year = t.year - 1
LEFT JOIN totals AS pb
    ON pb.scope = t.scope AND pb.holder_id = t.holder_id AND pb.quota_type = t.quota_type
    AND pb.year = t.year AND t.batch <> 'annual' AND pb.batch <> 'annual'
    AND TRY_CAST(pb.batch AS INTEGER) = TRY_CAST(t.batch AS INTEGER) - 1
LEFT JOIN core.organisations AS o ON o.org_id = t.holder_id
LEFT JOIN core.countries AS c ON c.iso3 = t.holder_id
ORDER BY t.quota_type, t.scope, t.holder_id, t.year, t.batch;
