-- Every leg of the real capacity-replacement plans (own capacity replaced, or capacity
-- transferred from a named firm to the receiving project), with firm and province names.
SELECT
    l.event_id, r.plan_id, l.leg, l.leg_kind, l.province_id, p.name_en AS province_name,
    p.name_zh AS province_name_zh, l.effective_date, l.quota_type,
    l.from_holder_id, coalesce(f.name, l.from_holder_id) AS from_name,
    l.to_holder_id, coalesce(t.name, l.to_holder_id) AS to_name,
    l.tonnes_reo, r.new_capacity_t, r.status, l.source_id
FROM core.capacity_replacement_legs AS l
JOIN core.capacity_replacements AS r ON r.event_id = l.event_id AND r.row_kind = 'project'
LEFT JOIN core.organisations AS f ON f.org_id = l.from_holder_id
LEFT JOIN core.organisations AS t ON t.org_id = l.to_holder_id
LEFT JOIN core.provinces AS p ON p.province_id = l.province_id
ORDER BY r.plan_id, l.event_id, l.leg
