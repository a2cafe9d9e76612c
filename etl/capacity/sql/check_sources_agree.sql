-- Violations: a key where a reported point and core.quotas disagree beyond rounding.
SELECT format('{} batch {} {} {} {}: {:,.0f} t in core.quotas (source {}) vs {:,.0f} t reported ({}, {} row {})',
              year, batch, quota_type, ore_type, holder_id, core_tonnes, core_source_id,
              reported_tonnes, coalesce(reported_source_id, 'unregistered source'),
              reported_file, reported_row) AS problem
FROM marts.quota_cross_check
WHERE status = 'disagrees'
ORDER BY problem;
