-- Violations: a national rock- or ion-type figure above the batch's all-ore figure, or rock plus
-- ion more than 1% away from it (press figures are rounded to 0.01万吨, so allow 1%).
WITH n AS (
    SELECT year, batch, quota_type,
           max(tonnes_reo) FILTER (WHERE ore_type = 'all') AS all_ore,
           max(tonnes_reo) FILTER (WHERE ore_type = 'rock') AS rock,
           max(tonnes_reo) FILTER (WHERE ore_type = 'ion') AS ion
    FROM core.quotas WHERE scope = 'national'
    GROUP BY ALL
)
SELECT format('{} batch {} {}: rock {:,.0f} t + ion {:,.0f} t does not match the total {:,.0f} t',
              year, batch, quota_type, rock, ion, all_ore) AS problem
FROM n
WHERE rock IS NOT NULL AND ion IS NOT NULL AND all_ore IS NOT NULL
  AND abs(rock + ion - all_ore) > 0.01 * all_ore
UNION ALL
SELECT format('{} batch {} {}: the {} figure {:,.0f} t exceeds the total {:,.0f} t',
              year, batch, quota_type, CASE WHEN rock > all_ore THEN 'rock' ELSE 'ion' END,
              greatest(coalesce(rock, 0), coalesce(ion, 0)), all_ore)
FROM n
WHERE all_ore IS NOT NULL AND greatest(coalesce(rock, 0), coalesce(ion, 0)) > all_ore + 0.5
ORDER BY problem;
