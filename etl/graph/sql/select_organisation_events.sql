-- Organisation change events (mergers, renamings): who was replaced by whom, and when.
SELECT event_id AS key, event_type, event_date, from_org_id, to_org_id, description, source_id
FROM core.organisation_events
ORDER BY event_id
