-- Shortfall of every buyer when $target (a province id or a holder id) loses $fraction of
-- its capacity (marts.scenario_shortfall, a table macro), in the series' own currency.
SELECT
    year, buyer, hs_code, cut_target, cut_fraction, quota_year, capacity_share_cut,
    china_value, exposed_value, shortfall_value, currency, shortfall_share_of_imports,
    reporter_side, is_synthetic, source_id
FROM marts.scenario_shortfall($target, $fraction)
ORDER BY buyer, hs_code, year
