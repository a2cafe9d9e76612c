-- Each holder's share of its batch's national total, per year, batch and quota type.
WITH rows AS (
    SELECT
        *,
        bool_or(ore_type = 'all') OVER (
            PARTITION BY year, batch, quota_type, holder_id
        ) AS has_all_row
    FROM marts.quota_by_holder
)
SELECT
    year,
    batch,
    quota_type,
    holder_id,
    any_value(holder_name) AS holder_name,
    sum(tonnes_reo) AS tonnes_reo,
    sum(share_of_batch) AS share_of_batch,
    bool_or(is_derived) AS is_derived,
    bool_or(source_kind = 'illustrative') AS is_illustrative
FROM rows
WHERE ore_type = 'all' OR NOT has_all_row
GROUP BY year, batch, quota_type, holder_id
ORDER BY year, batch, quota_type, holder_id
