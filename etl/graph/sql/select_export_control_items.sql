-- Items an export control names: element, customs code as published, HS6 heading.
SELECT concat_ws('-', event_id, element_symbol, coalesce(customs_code, 'all'),
                 CAST(row_number() OVER (PARTITION BY event_id, element_symbol, customs_code
                                         ORDER BY item) AS VARCHAR)) AS key,
       event_id, element_symbol, item, customs_code, hs6, source_id
FROM core.export_control_items
ORDER BY key
