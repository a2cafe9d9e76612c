-- Quarantined rows per dataset, file and reason (what `make run` and `reekg status` list).
SELECT dataset, source_file, reason, count(*) AS rows, min(source_row) AS first_row
FROM quarantine.rejected_rows
GROUP BY ALL
ORDER BY dataset, source_file, rows DESC, reason;
