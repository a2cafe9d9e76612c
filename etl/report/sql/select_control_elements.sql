-- Elements covered by each measure's items: lines per element, with the element's name.
SELECT
    i.event_id, c.document, i.element_symbol, e.name AS element_name, e.atomic_number,
    count(*) AS items, c.suspended_from IS NOT NULL AS is_suspended
FROM core.export_control_items AS i
JOIN core.export_controls AS c USING (event_id)
LEFT JOIN core.elements AS e ON e.symbol = i.element_symbol
WHERE i.element_symbol IS NOT NULL
GROUP BY ALL
ORDER BY e.atomic_number, i.event_id
