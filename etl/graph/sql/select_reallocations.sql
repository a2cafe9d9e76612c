-- Reallocation events: one row per event (its legs are listed by select_reallocation_legs).
SELECT event_id AS key, any_value(province_id ORDER BY leg) AS province_id,
       min(effective_date) AS effective_date, any_value(quota_type ORDER BY leg) AS quota_type
FROM core.reallocations
GROUP BY event_id
ORDER BY event_id
