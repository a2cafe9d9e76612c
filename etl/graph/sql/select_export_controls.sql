-- Export-control events with their dates, status and source.
SELECT event_id AS key, document, authority, event_type, date_announced,
       date_announced_as_published, date_effective, status, status_as_of, suspended_from,
       suspended_until, source_id
FROM core.export_controls
ORDER BY event_id
