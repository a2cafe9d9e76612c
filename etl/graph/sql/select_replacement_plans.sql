-- Capacity-replacement plans: the province, the date, the total the publication states, and
-- (for a plan published as one figure, e.g. Inner Mongolia's Jufeng) its new capacity.
SELECT plan_id AS key, any_value(province_id) AS province_id,
       min(announced_on) AS announced_on, any_value(date_as_published) AS date_as_published,
       max(new_capacity_t) FILTER (WHERE row_kind = 'stated_total') AS stated_total_t,
       sum(new_capacity_t) FILTER (WHERE row_kind = 'project' AND own_replaced_t IS NULL)
           AS unitemised_capacity_t,
       min(source_id) AS source_id
FROM core.capacity_replacements
GROUP BY plan_id
ORDER BY plan_id
