-- One row per buyer, heading, basis, source and year, in the series' own currency (USD for
-- UN Comtrade, EUR for Eurostat Comext): the buyer's import value, the part from China,
-- China's share and the suppliers' HHI (official series before synthetic).
SELECT
    s.buyer, coalesce(b.name, s.buyer) AS buyer_name, s.hs_code, s.reporter_side,
    s.source_id, s.is_synthetic, s.currency, s.year,
    bool_and(s.is_complete) AS is_complete,
    any_value(s.buyer_value) AS buyer_value,
    coalesce(sum(s.value) FILTER (WHERE s.supplier = 'CHN'), 0) AS china_value,
    coalesce(any_value(s.china_share_value), 0) AS china_share_value,
    any_value(s.hhi_value) AS hhi_value,
    any_value(s.supplier_count) AS supplier_count
FROM marts.buyer_supplier_shares AS s
LEFT JOIN core.buyers AS b ON b.buyer_id = s.buyer
GROUP BY ALL
ORDER BY s.is_synthetic, s.buyer, s.hs_code, s.reporter_side, s.source_id, s.year
