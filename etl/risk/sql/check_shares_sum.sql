-- The published shares of one material, stage and scope add up to at most 102% (rounding),
-- and global supply to at least 98%: a share typed off by a factor shows up here.
SELECT format('{} {} {} {}: shares add up to {:.1f}%', assessment_year, scope, material, stage,
    sum(coalesce(share_pct, 0))) AS problem
FROM core.crm_supply_shares
GROUP BY assessment_year, scope, material, stage
HAVING sum(coalesce(share_pct, 0)) > 102
    OR (scope = 'global_supply' AND sum(coalesce(share_pct, 0)) < 98)
ORDER BY problem
