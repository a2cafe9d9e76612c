-- One row per buyer, heading, basis, source and year: the buyer's import value, the part from
-- China, China's share and the suppliers' HHI (official series before synthetic).
SELECT
    s.buyer, coalesce(b.name, s.buyer) AS buyer_name, s.hs_code, s.reporter_side,
    s.source_id, s.is_synthetic, s.year,
    any_value(s.buyer_value_usd) AS buyer_value_usd,
    coalesce(sum(s.value_usd) FILTER (WHERE s.supplier = 'CHN'), 0) AS china_value_usd,
    coalesce(any_value(s.china_share_value), 0) AS china_share_value,
    any_value(s.hhi_value) AS hhi_value,
    any_value(s.supplier_count) AS supplier_count
FROM marts.buyer_supplier_shares AS s
LEFT JOIN core.buyers AS b ON b.buyer_id = s.buyer
WHERE s.currency = 'USD'  -- the report shows USD series (Comext EUR series have no USD value)
GROUP BY ALL
ORDER BY s.is_synthetic, s.buyer, s.hs_code, s.reporter_side, s.source_id, s.year
