-- Capacity-replacement projects with published legs, as reallocations: the receiving firm, its
-- new capacity and the own capacity it retires and replaces (zero net for that firm).
SELECT r.event_id AS key, r.plan_id, r.province_id, r.announced_on, r.quota_type,
       r.receiving_org_id, r.new_capacity_t, r.own_replaced_t, r.project_type, r.status,
       r.source_id
FROM core.capacity_replacements AS r
WHERE r.event_id IN (SELECT event_id FROM core.capacity_replacement_legs)
ORDER BY r.event_id
