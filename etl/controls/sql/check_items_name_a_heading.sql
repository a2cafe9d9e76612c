-- Violations: a customs code whose HS6 heading is missing, or an item of an event that does not
-- exist.
SELECT format('{} {}: customs code {} has no HS6 heading', event_id, element_symbol,
              customs_code) AS problem
FROM core.export_control_items
WHERE customs_code IS NOT NULL AND hs6 IS NULL
UNION ALL
SELECT format('{}: item of an unknown event', event_id)
FROM core.export_control_items
WHERE event_id NOT IN (SELECT event_id FROM core.export_controls)
ORDER BY problem;
