-- Warnings: a plan whose published total differs from the sum of its projects' new capacities
-- (Jiangxi, December 2025: stated 11,172 t/yr, projects 5,500 + 3,100 + 5,572 = 14,172).
-- Both figures are kept as published; this flags the contradiction.
WITH stated AS (
    SELECT plan_id, new_capacity_t AS stated_t FROM core.capacity_replacements
    WHERE row_kind = 'stated_total'
),
projects AS (
    SELECT plan_id, sum(new_capacity_t) AS projects_t, count(*) AS n
    FROM core.capacity_replacements WHERE row_kind = 'project' GROUP BY plan_id
)
SELECT format('{}: published total {:,.0f} t/yr but its {} projects sum to {:,.0f} t/yr '
              '(difference {:,.0f} t/yr)', plan_id, stated_t, n, projects_t,
              projects_t - stated_t) AS problem,
       plan_id, stated_t, projects_t
FROM stated JOIN projects USING (plan_id)
WHERE abs(stated_t - projects_t) > 0.001
ORDER BY plan_id;
