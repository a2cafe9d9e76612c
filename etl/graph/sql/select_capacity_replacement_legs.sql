-- Transfer legs of capacity-replacement projects: capacity from the source firm to the
-- receiving firm.
SELECT concat_ws('-', event_id, CAST(leg AS VARCHAR)) AS key, leg, province_id, effective_date,
       from_holder_id, to_holder_id, quota_type, tonnes_reo, source_id
FROM core.capacity_replacement_legs
WHERE leg_kind = 'transfer'
ORDER BY event_id, leg
