-- Each reported point beside the core.quotas figure of the same key. "Within rounding": the
-- values differ by at most 0.5 t, or by at most 0.5% of the larger (reports round to 100 t or
-- to 0.1 kt).
CREATE OR REPLACE TABLE marts.quota_cross_check AS
WITH points AS (
    SELECT p.*,
           CASE WHEN lower(p.holder_type) = 'national' THEN 'CHN' ELSE a.entity_id END AS holder_id,
           s.source_id AS reported_source_id
    FROM core.quota_reported_points AS p
    LEFT JOIN core.entity_aliases AS a
        ON a.alias = p.holder_or_region
       AND a.entity_kind = CASE lower(p.holder_type) WHEN 'group' THEN 'organisation'
                                WHEN 'province' THEN 'province' ELSE 'organisation' END
    LEFT JOIN core.sources AS s ON s.url = p.source_url
)
SELECT
    p.year, p.batch_code AS batch, p.quota_code AS quota_type, p.ore_code AS ore_type,
    p.holder_id,
    p.holder_or_region AS reported_holder, p.value_t_reo AS reported_tonnes,
    p.reported_source_id, p.source_file AS reported_file, p.source_row AS reported_row,
    q.tonnes_reo AS core_tonnes, q.source_id AS core_source_id,
    CASE
        WHEN p.holder_id IS NULL THEN 'unresolved_holder'
        WHEN q.tonnes_reo IS NULL THEN 'new_key'
        WHEN abs(q.tonnes_reo - p.value_t_reo) <= 0.5
          OR abs(q.tonnes_reo - p.value_t_reo) <= 0.005 * greatest(q.tonnes_reo, p.value_t_reo)
            THEN 'agrees'
        ELSE 'disagrees'
    END AS status
FROM points AS p
LEFT JOIN core.quotas AS q
    ON q.year = p.year AND q.batch = p.batch_code AND q.quota_type = p.quota_code
   AND q.ore_type = p.ore_code AND q.holder_id = p.holder_id
ORDER BY p.year, p.batch_code, p.quota_code, p.ore_code, p.holder_or_region, p.source_row;
