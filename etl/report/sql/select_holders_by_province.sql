-- Each year's quota by the province of its holders (a group counts in its headquarters'
-- province, core.organisations.hq_province_id), and the official provincial split where one
-- was published (core.quotas, scope 'province', annual), with the national annual total.
WITH rows AS (
    SELECT
        *,
        bool_or(ore_type = 'all') OVER (
            PARTITION BY year, batch, quota_type, holder_id
        ) AS has_all_row
    FROM marts.quota_by_holder
),
by_group AS (
    SELECT
        r.year, r.quota_type, coalesce(o.hq_province_id, 'unknown') AS province_id,
        'groups by headquarters' AS basis, sum(r.tonnes_reo) AS tonnes_reo
    FROM rows AS r
    LEFT JOIN core.organisations AS o ON o.org_id = r.holder_id
    WHERE r.ore_type = 'all' OR NOT r.has_all_row
    GROUP BY ALL
),
official AS (
    SELECT
        year, quota_type, holder_id AS province_id, 'official provincial split' AS basis,
        sum(tonnes_reo) AS tonnes_reo
    FROM core.quotas
    WHERE scope = 'province' AND batch = 'annual'
    GROUP BY ALL
),
national AS (
    SELECT year, quota_type, tonnes_reo AS national_tonnes_reo
    FROM marts.quota_change
    WHERE scope = 'national' AND batch = 'annual'
)
SELECT
    u.year, u.quota_type, u.province_id, p.name_en AS province_name, p.name_zh AS province_name_zh,
    u.basis, u.tonnes_reo, n.national_tonnes_reo,
    u.tonnes_reo / nullif(n.national_tonnes_reo, 0) AS share_of_national
FROM (SELECT * FROM by_group UNION ALL SELECT * FROM official) AS u
LEFT JOIN core.provinces AS p ON p.province_id = u.province_id
LEFT JOIN national AS n USING (year, quota_type)
ORDER BY u.basis, u.quota_type, u.year, u.tonnes_reo DESC
