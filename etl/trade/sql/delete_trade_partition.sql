DELETE FROM core.trade_flows WHERE dataset = $dataset AND partition_key = $partition_key
