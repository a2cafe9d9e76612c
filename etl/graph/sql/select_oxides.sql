-- Oxides: one concept per element's usual traded oxide.
SELECT oxide_formula AS key, symbol, source_id
FROM core.elements
WHERE oxide_formula IS NOT NULL
ORDER BY atomic_number
