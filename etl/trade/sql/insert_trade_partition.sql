INSERT INTO core.trade_flows BY NAME SELECT * FROM _incoming_flows
