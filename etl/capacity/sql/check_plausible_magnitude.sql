-- Violations: a single quota figure above 1,000,000 t REO (about three times world mine
-- production) is a unit error, e.g. "7660万吨" (76.6 million t) printed for 7,660 t.
SELECT format('{} batch {} {} {}: {} {:,.0f} t REO is implausible (over 1,000,000 t; unit error such as 万吨 for t?) ({} row {})',
              year, batch, quota_type, ore_type, holder_id, tonnes_reo, source_file, source_row)
    AS problem
FROM core.quotas
WHERE tonnes_reo > 1000000
ORDER BY year, batch;
