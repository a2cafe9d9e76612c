-- Supplier shares of the buyers' series with the most years (official before synthetic),
-- at most $max_series series: one series is a buyer, commodity, basis and source. USD series
-- only (the report charts value_usd; EUR series from Comext have no USD value).
WITH series AS (
    SELECT
        buyer, hs_code, reporter_side, source_id, is_synthetic,
        count(DISTINCT year) AS years,
        sum(value_usd) AS total_value_usd
    FROM marts.buyer_supplier_shares
    WHERE currency = 'USD'
    GROUP BY ALL
),
chosen AS (
    SELECT *, row_number() OVER (
        ORDER BY is_synthetic, years DESC, total_value_usd DESC NULLS LAST, buyer, hs_code
    ) AS series_rank
    FROM series
    QUALIFY series_rank <= $max_series
)
SELECT
    c.series_rank, s.year, s.buyer, s.hs_code, s.supplier, s.value_usd, s.tonnes,
    s.share_value, s.hhi_value, s.china_share_value, s.reporter_side, s.is_synthetic,
    s.source_id
FROM marts.buyer_supplier_shares AS s
JOIN chosen AS c USING (buyer, hs_code, reporter_side, source_id, is_synthetic)
WHERE s.currency = 'USD'
ORDER BY c.series_rank, s.year, s.value_usd DESC NULLS LAST, s.supplier
