-- Concentration of each batch's quota: number of members, top-1 share and HHI (0-10,000).
-- Dimensions: 'holder' (company groups), 'holder_hq_province' (groups summed by headquarters
-- province) and 'province' (official provincial splits, where a notice gives them).
-- Shares are of the national batch total when it is known (share_basis = 'national_total'),
-- else of the members' sum; when the split is incomplete the HHI is then a lower bound.
CREATE OR REPLACE TABLE marts.quota_concentration AS
WITH national AS (
    SELECT year, batch, quota_type, tonnes_reo AS national_total
    FROM core.quotas
    WHERE scope = 'national' AND ore_type = 'all'
),
members AS (
    SELECT year, batch, quota_type, 'holder' AS dimension, holder_id AS member,
           sum(tonnes_reo) AS tonnes
    FROM core.quotas WHERE scope = 'group'
    GROUP BY ALL
    UNION ALL
    SELECT q.year, q.batch, q.quota_type, 'holder_hq_province', o.hq_province_id,
           sum(q.tonnes_reo)
    FROM core.quotas AS q JOIN core.organisations AS o ON o.org_id = q.holder_id
    WHERE q.scope = 'group' AND o.hq_province_id IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT year, batch, quota_type, 'province', holder_id, sum(tonnes_reo)
    FROM core.quotas WHERE scope = 'province'
    GROUP BY ALL
),
based AS (
    SELECT m.*, n.national_total,
           sum(m.tonnes) OVER (PARTITION BY m.year, m.batch, m.quota_type, m.dimension)
               AS members_total
    FROM members AS m
    LEFT JOIN national AS n USING (year, batch, quota_type)
)
SELECT
    year,
    batch,
    quota_type,
    dimension,
    count(*) AS n,
    any_value(members_total) AS members_total,
    any_value(national_total) AS national_total,
    CASE WHEN any_value(national_total) IS NULL THEN 'holders_sum' ELSE 'national_total' END
        AS share_basis,
    max(tonnes) / coalesce(any_value(national_total), any_value(members_total)) AS top1_share,
    arg_max(member, tonnes) AS top1_member,
    -- rounded to 6 decimals: a sum of doubles in parallel order (byte-identical reruns)
    round(sum(power(100.0 * tonnes / coalesce(national_total, members_total), 2)), 6) AS hhi,
    coalesce(abs(any_value(members_total) - any_value(national_total)) <= 0.5, false)
        AS split_complete
FROM based
GROUP BY year, batch, quota_type, dimension
ORDER BY year, batch, quota_type, dimension;
