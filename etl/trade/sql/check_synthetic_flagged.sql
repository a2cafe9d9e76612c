SELECT count(*) FROM marts.trade_flows WHERE source_id = 'synthetic-trade' AND NOT is_synthetic
