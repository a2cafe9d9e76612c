-- Each capacity-replacement plan with legs: its projects' new capacity summed, the total the
-- plan states, the legs' tonnes, and the transfers out and in (they must balance).
WITH projects AS (
    SELECT plan_id, any_value(province_id) AS province_id, count(*) AS projects,
        sum(new_capacity_t) AS summed_new_capacity_t, any_value(source_id) AS source_id
    FROM core.capacity_replacements
    WHERE row_kind = 'project'
    GROUP BY plan_id
),
stated AS (
    SELECT plan_id, sum(new_capacity_t) AS stated_total_t
    FROM core.capacity_replacements
    WHERE row_kind = 'stated_total'
    GROUP BY plan_id
),
legs AS (
    SELECT r.plan_id, sum(l.tonnes_reo) AS legs_t,
        sum(l.tonnes_reo) FILTER (WHERE l.leg_kind = 'transfer') AS transferred_t,
        sum(l.tonnes_reo) FILTER (WHERE l.leg_kind = 'own_replacement') AS own_replaced_t
    FROM core.capacity_replacement_legs AS l
    JOIN core.capacity_replacements AS r ON r.event_id = l.event_id AND r.row_kind = 'project'
    GROUP BY r.plan_id
),
ledger AS (
    SELECT
        r.plan_id,
        sum(g.change_t) FILTER (WHERE g.leg_kind = 'transfer_in') AS ledger_in_t,
        -sum(g.change_t) FILTER (WHERE g.leg_kind = 'transfer_out') AS ledger_out_t,
        sum(g.change_t) FILTER (WHERE g.row_kind = 'province_total') AS province_change_t
    FROM marts.reallocation_ledger AS g
    JOIN core.capacity_replacements AS r ON r.event_id = g.event_id AND r.row_kind = 'project'
    GROUP BY r.plan_id
)
SELECT
    p.plan_id, p.province_id, v.name_en AS province_name, v.name_zh AS province_name_zh,
    p.projects, p.summed_new_capacity_t, s.stated_total_t,
    p.summed_new_capacity_t - s.stated_total_t AS summed_minus_stated_t,
    l.legs_t, l.transferred_t, l.own_replaced_t, g.ledger_in_t, g.ledger_out_t,
    g.province_change_t, p.source_id
FROM projects AS p
JOIN legs AS l USING (plan_id)
LEFT JOIN stated AS s USING (plan_id)
LEFT JOIN ledger AS g USING (plan_id)
LEFT JOIN core.provinces AS v ON v.province_id = p.province_id
ORDER BY p.plan_id
