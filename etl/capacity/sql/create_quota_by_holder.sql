-- One row per quota figure of a company group: its share of the national batch total
-- (same year, batch and quota type, all ore types) and of the same ore type's national figure.
CREATE OR REPLACE TABLE marts.quota_by_holder AS
WITH national AS (
    SELECT year, batch, quota_type, ore_type, tonnes_reo AS national_tonnes
    FROM core.quotas
    WHERE scope = 'national'
)
SELECT
    q.year,
    q.batch,
    q.quota_type,
    q.ore_type,
    q.holder_id,
    o.name AS holder_name,
    q.tonnes_reo,
    q.tonnes_reo / n_all.national_tonnes AS share_of_batch,
    q.tonnes_reo / n_ore.national_tonnes AS share_of_ore_type,
    q.is_derived,
    q.source_id,
    s.kind AS source_kind
FROM core.quotas AS q
JOIN core.organisations AS o ON o.org_id = q.holder_id
JOIN core.sources AS s ON s.source_id = q.source_id
LEFT JOIN national AS n_all
    ON n_all.year = q.year AND n_all.batch = q.batch
    AND n_all.quota_type = q.quota_type AND n_all.ore_type = 'all'
LEFT JOIN national AS n_ore
    ON n_ore.year = q.year AND n_ore.batch = q.batch
    AND n_ore.quota_type = q.quota_type AND n_ore.ore_type = q.ore_type
WHERE q.scope = 'group'
ORDER BY q.year, q.batch, q.quota_type, q.tonnes_reo DESC, q.holder_id, q.ore_type;
