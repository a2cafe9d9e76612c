-- Rows in, landed, quarantined, superseded and elsewhere per dataset and file (latest load of
-- each partition), and the rows no category holds (`unaccounted`, zero unless a reader lost some).
SELECT
    dataset,
    source_file,
    sum(rows_in) AS rows_in,
    sum(rows_landed) AS rows_landed,
    sum(rows_quarantined) AS rows_quarantined,
    sum(rows_superseded) AS rows_superseded,
    sum(rows_elsewhere) AS rows_elsewhere,
    sum(rows_in - rows_landed - rows_quarantined - rows_superseded - rows_elsewhere) AS unaccounted
FROM quarantine.file_accounting
GROUP BY dataset, source_file
ORDER BY dataset, source_file;
