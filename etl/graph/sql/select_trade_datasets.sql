-- One qb:DataSet per trade dataset (named like its graph).
SELECT DISTINCT 'trade-' || replace(replace(dataset, 'trade.', ''), '.', '-') AS key,
       'Trade flows (' || dataset || ')' AS label
FROM core.trade_flows
ORDER BY key
