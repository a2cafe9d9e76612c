-- China's annual national quota per year and quota type (the 'annual' batch of marts.quota_change).
SELECT year, quota_type, tonnes_reo, yoy_change, yoy_pct
FROM marts.quota_change
WHERE scope = 'national' AND batch = 'annual'
ORDER BY quota_type, year
