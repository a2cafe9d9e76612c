DELETE FROM core.trade_flows
WHERE dataset = $dataset AND list_contains($partition_keys::VARCHAR[], partition_key)
