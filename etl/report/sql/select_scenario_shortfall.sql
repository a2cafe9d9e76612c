-- Shortfall of every buyer when $target (a province id or a holder id) loses $fraction of
-- its capacity (marts.scenario_shortfall, a table macro).
SELECT
    year, buyer, hs_code, cut_target, cut_fraction, quota_year, capacity_share_cut,
    china_value_usd, exposed_value_usd, shortfall_value_usd, shortfall_share_of_imports,
    reporter_side, is_synthetic, source_id
FROM marts.scenario_shortfall($target, $fraction)
WHERE currency = 'USD'  -- the report shows USD shortfalls
ORDER BY buyer, hs_code, year
