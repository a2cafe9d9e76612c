-- Violations: a controlled-trade row not labelled as an upper bound.
SELECT format('{} {} {}: not labelled an upper bound', buyer, year, hs6) AS problem
FROM marts.controlled_trade
WHERE NOT is_upper_bound
ORDER BY problem;
