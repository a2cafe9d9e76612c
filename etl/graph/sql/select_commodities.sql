-- Commodities: HS6 / CN8 codes.
SELECT hs_code AS key, description, scheme, notes, source_id
FROM core.commodities
ORDER BY hs_code
