-- Each holder's quota per year and quota type, summed over the year's batches.
-- Where a holder has an 'all' ore-type row in a batch, its rock/ion rows are not added again.
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
    quota_type,
    holder_id,
    any_value(holder_name) AS holder_name,
    sum(tonnes_reo) AS tonnes_reo,
    bool_or(is_derived) AS is_derived,
    bool_or(source_kind = 'illustrative') AS is_illustrative,
    string_agg(DISTINCT batch, ', ' ORDER BY batch) AS batches,
    string_agg(DISTINCT source_id, ', ' ORDER BY source_id) AS source_ids
FROM rows
WHERE ore_type = 'all' OR NOT has_all_row
GROUP BY year, quota_type, holder_id
ORDER BY quota_type, year, holder_id
