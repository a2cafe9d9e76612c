-- Reallocation legs: one transfer between two holders each.
SELECT concat_ws('-', event_id, CAST(leg AS VARCHAR)) AS key, event_id, leg, province_id,
       effective_date, from_holder_id, to_holder_id, quota_type, tonnes_reo, reason, source_id
FROM core.reallocations
ORDER BY event_id, leg
