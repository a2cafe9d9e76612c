-- Baseline holdings of capacity by holder within a province.
SELECT concat_ws('-', province_id, holder_id, quota_type, strftime(as_of, '%Y-%m-%d')) AS key,
       province_id, holder_id, quota_type, as_of, tonnes_reo, source_id
FROM core.holdings_baseline
ORDER BY key
