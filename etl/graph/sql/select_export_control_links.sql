-- Each control's elements and the HS6 headings holding a line it names (one row per link).
SELECT DISTINCT event_id AS key, element_symbol, CAST(NULL AS VARCHAR) AS hs6
FROM core.export_control_items
UNION ALL
SELECT DISTINCT event_id, NULL, hs6
FROM core.export_control_items
WHERE hs6 IS NOT NULL
ORDER BY key, element_symbol, hs6
