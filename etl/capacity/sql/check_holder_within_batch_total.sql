-- Violations: a group's figure (summed over ore types) above its batch's national total, a
-- group's ore-type figure above the national figure of that ore type, or the groups' sum above
-- the national total. This is how a figure off by a unit ("369,906" for 36,906) is caught.
WITH national AS (
    SELECT year, batch, quota_type, ore_type, tonnes_reo AS national
    FROM core.quotas WHERE scope = 'national'
),
holder AS (
    SELECT q.year, q.batch, q.quota_type, q.holder_id, o.name,
           sum(q.tonnes_reo) AS tonnes,
           string_agg(format('{} {:,.0f} t', q.ore_type, q.tonnes_reo), ' + ' ORDER BY q.ore_type)
               AS parts,
           string_agg(DISTINCT q.source_file || ' row ' || q.source_row, ', ') AS rows_cited,
           string_agg(DISTINCT q.source_id, ', ') AS sources
    FROM core.quotas AS q JOIN core.organisations AS o ON o.org_id = q.holder_id
    WHERE q.scope = 'group'
    GROUP BY ALL
)
SELECT format('{} batch {} {}: {} {:,.0f} t ({}) exceeds the national batch total {:,.0f} t ({}; source {})',
              h.year, h.batch, h.quota_type, h.name, h.tonnes, h.parts, n.national, h.rows_cited,
              h.sources)
    AS problem
FROM holder AS h
JOIN national AS n
    ON n.year = h.year AND n.batch = h.batch AND n.quota_type = h.quota_type AND n.ore_type = 'all'
WHERE h.tonnes > n.national + 0.5
UNION ALL
SELECT format('{} batch {} {} {}: {} {:,.0f} t exceeds the national {} figure {:,.0f} t ({} row {})',
              q.year, q.batch, q.quota_type, q.ore_type, q.holder_id, q.tonnes_reo, q.ore_type,
              n.national, q.source_file, q.source_row)
FROM core.quotas AS q
JOIN national AS n
    ON n.year = q.year AND n.batch = q.batch AND n.quota_type = q.quota_type
    AND n.ore_type = q.ore_type
WHERE q.scope = 'group' AND q.ore_type <> 'all' AND q.tonnes_reo > n.national + 0.5
UNION ALL
SELECT format('{} batch {} {}: the groups together hold {:,.0f} t, more than the national total {:,.0f} t',
              h.year, h.batch, h.quota_type, sum(h.tonnes), any_value(n.national))
FROM holder AS h
JOIN national AS n
    ON n.year = h.year AND n.batch = h.batch AND n.quota_type = h.quota_type AND n.ore_type = 'all'
GROUP BY h.year, h.batch, h.quota_type
HAVING sum(h.tonnes) > any_value(n.national) + 0.5
ORDER BY problem;
