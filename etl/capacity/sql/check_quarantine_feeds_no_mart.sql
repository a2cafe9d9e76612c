-- Violations: a quota row was quarantined although its year, batch and quota type have landed
-- figures, so the marts over that batch (shares, HHI, split_complete) would silently change.
SELECT format('{} row {}: quarantined ({}{}) in {} batch {} {}, a batch the quota marts publish',
              q.source_file, q.source_row, q.reason,
              CASE WHEN q.field IS NULL THEN '' ELSE ', field ' || q.field END,
              r.year, r.batch, r.quota_type) AS problem
FROM quarantine.rejected_rows AS q
JOIN raw.quotas AS r ON r.source_file = q.source_file AND r.source_row = q.source_row
WHERE q.dataset = 'quotas'
  AND EXISTS (
      SELECT 1 FROM core.quotas AS c
      WHERE CAST(c.year AS VARCHAR) = trim(r.year) AND c.batch = trim(r.batch)
        AND c.quota_type = trim(r.quota_type)
  )
ORDER BY q.source_file, q.source_row;
