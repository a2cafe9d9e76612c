-- Violations: the shares held in one organisation (at one date as published) add up to more
-- than 100%.
SELECT format('{} ({}): shareholders hold {:.2f}% in total', org_id, date_as_published,
              sum(share_pct)) AS problem
FROM core.organisation_memberships
WHERE share_pct IS NOT NULL
GROUP BY org_id, date_as_published
HAVING sum(share_pct) > 100.001
ORDER BY problem;
