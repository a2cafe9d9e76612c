SELECT count(*) FROM marts.trade_flows
WHERE exporter IN (SELECT unnest($aggregates::VARCHAR[])) OR importer IN (SELECT unnest($aggregates::VARCHAR[]))
