-- Every export-control measure with its dates and status (in force, suspended, superseded),
-- and the elements its items cover.
SELECT
    c.event_id, c.date_announced, c.date_effective, c.authority, c.document, c.event_type,
    c.status, c.status_as_of, c.suspended_from, c.suspended_until, c.items_elements,
    c.source_id,
    CASE
        WHEN c.suspended_from IS NOT NULL THEN 'suspended'
        WHEN c.status ILIKE 'superseded%' OR c.status ILIKE 'historic%' THEN 'superseded or historic'
        WHEN c.status ILIKE 'in force%' THEN 'in force'
        ELSE 'other'
    END AS status_group,
    (SELECT string_agg(DISTINCT i.element_symbol, ', ' ORDER BY i.element_symbol)
     FROM core.export_control_items AS i
     WHERE i.event_id = c.event_id AND i.element_symbol IS NOT NULL) AS elements
FROM core.export_controls AS c
ORDER BY coalesce(c.date_effective, c.date_announced) NULLS FIRST, c.event_id
