-- Violations: a year's numbered batches add up to more than its annual total, or (when the
-- batches are complete, i.e. the annual notice is the last one) to a different figure.
-- Years whose batches add up to less are incomplete in the record, not wrong.
WITH batches AS (
    SELECT year, quota_type, sum(tonnes_reo) AS batch_sum, count(*) AS n_batches
    FROM core.quotas
    WHERE scope = 'national' AND ore_type = 'all' AND batch <> 'annual'
    GROUP BY ALL
),
annual AS (
    SELECT year, quota_type, tonnes_reo AS annual
    FROM core.quotas
    WHERE scope = 'national' AND ore_type = 'all' AND batch = 'annual'
)
SELECT format('{} {}: the {} batches add up to {:,.0f} t, more than the annual total {:,.0f} t',
              b.year, b.quota_type, b.n_batches, b.batch_sum, a.annual) AS problem
FROM batches AS b JOIN annual AS a USING (year, quota_type)
WHERE b.batch_sum > a.annual + 0.5
ORDER BY problem;
