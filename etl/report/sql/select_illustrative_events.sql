-- Reallocation events from an illustrative source (the report must label each of them).
SELECT DISTINCT event_id
FROM marts.reallocation_ledger
WHERE is_illustrative
ORDER BY event_id
