DELETE FROM quarantine.rejected_rows
WHERE dataset = $dataset AND list_contains($partition_keys::VARCHAR[], partition_key)
