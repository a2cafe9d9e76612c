-- Each buyer's imports from China in headings that contain a controlled line, per year, in
-- the series' own currency (an upper bound: the heading is wider than the controlled lines).
SELECT
    buyer, coalesce(buyer_name, buyer) AS buyer_name, year, hs6, control, controlled_elements,
    control_coverage, imports_from_china, currency, imports_from_china_t, is_upper_bound,
    reporter_side, source_id
FROM marts.controlled_trade
ORDER BY buyer, hs6, year
