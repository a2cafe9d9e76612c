DELETE FROM quarantine.rejected_rows WHERE dataset = $dataset AND partition_key = $partition_key
