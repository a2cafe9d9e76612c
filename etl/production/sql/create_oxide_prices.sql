-- Rare-earth oxide (and mischmetal) prices, USD/kg, by edition and year, from the US salient
-- statistics; `product` is the compound as USGS's column names it (TbO2 for terbium oxide).
CREATE OR REPLACE TABLE marts.oxide_prices AS
SELECT
    s.edition,
    s.year,
    regexp_extract(s.source_column, '^Price_(.+)_dkg$', 1) AS product,
    s.item,
    s.element_symbol,
    e.name AS element_name,
    s.value AS usd_per_kg,
    s.qualifier,
    s.source_id
FROM core.us_salient AS s
LEFT JOIN core.elements AS e ON e.symbol = s.element_symbol
WHERE s.unit = 'USD/kg'
ORDER BY s.edition, s.year, product;
