-- One qb:DataSet per trade dataset (named like its graph).
SELECT DISTINCT 'trade-' || replace(replace(dataset, 'trade.', ''), '.', '-') AS key,
       'Trade flows (' || dataset || ')' AS label
FROM core.trade_flows
WHERE getvariable('reekg_include_synthetic') IS TRUE
   OR source_id NOT IN (SELECT source_id FROM core.sources WHERE kind = 'synthetic')
ORDER BY key
