-- What the scenarios cut: each province named in $provinces and every group that holds
-- smelting/separation quota (the capacity the scenario macro apportions).
SELECT province_id AS target, name_en AS target_name, name_zh AS target_name_zh,
    'province' AS target_kind, 0 AS target_order
FROM core.provinces
WHERE list_contains($provinces, province_id)
UNION ALL
SELECT DISTINCT holder_id, holder_name, NULL, 'group', 1
FROM marts.quota_by_holder
WHERE quota_type = 'smelting_separation'
ORDER BY target_order, target
