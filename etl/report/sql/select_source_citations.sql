-- Rows citing each source in one core table (the table name comes from a constant).
SELECT source_id, count(*) AS rows FROM {table} GROUP BY source_id
