INSERT INTO quarantine.rejected_rows
SELECT $dataset, $partition_key, source_file, source_row, field, value, reason FROM _incoming_rejects
