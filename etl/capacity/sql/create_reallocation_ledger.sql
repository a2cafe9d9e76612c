-- The reallocation ledger: per event, one row per holder and leg kind, plus one 'province_total'
-- row per event whose change_t is the province's net change (zero when capacity only moves).
--
-- Real events (core.capacity_replacement_legs, e.g. Jiangxi's December 2025 replacement plans):
-- the receiving firm's 'transfer_in' (+transferred), the source firm's 'transfer_out'
-- (-transferred) and the receiving firm's 'own_replacement' (its own capacity retired and
-- replaced: zero net, leg_t says how much). Firms' capacities before and after are not
-- published: before_t and after_t stay NULL, never invented.
--
-- Tutorial events (core.reallocations with core.holdings_baseline, source kind 'illustrative',
-- is_illustrative = true): invented figures showing before/after mechanics; every holder of the
-- province appears in every event of it (leg_kind 'net'). Filter them out with
-- `WHERE NOT is_illustrative`.
CREATE OR REPLACE TABLE marts.reallocation_ledger AS
WITH legs AS (
    SELECT event_id, effective_date, province_id, quota_type, from_holder_id AS holder_id,
           -tonnes_reo AS change, source_id
    FROM core.reallocations
    UNION ALL
    SELECT event_id, effective_date, province_id, quota_type, to_holder_id, tonnes_reo, source_id
    FROM core.reallocations
    WHERE to_holder_id IS NOT NULL
),
event_changes AS (
    SELECT event_id, province_id, quota_type, holder_id, sum(change) AS change
    FROM legs GROUP BY ALL
),
events AS (
    SELECT event_id, province_id, quota_type, min(effective_date) AS effective_date,
           string_agg(DISTINCT reason, ';' ORDER BY reason) AS reasons,
           min(source_id) AS source_id
    FROM core.reallocations GROUP BY ALL
),
baseline AS (
    SELECT province_id, quota_type, holder_id, sum(tonnes_reo) AS base
    FROM core.holdings_baseline GROUP BY ALL
),
holders AS (
    SELECT province_id, quota_type, holder_id FROM baseline
    UNION
    SELECT province_id, quota_type, holder_id FROM event_changes
),
ledger AS (
    SELECT
        e.event_id, e.effective_date, e.province_id, e.quota_type, e.reasons, e.source_id,
        h.holder_id,
        coalesce(b.base, 0) + coalesce(sum(coalesce(c.change, 0)) OVER (
            PARTITION BY e.province_id, e.quota_type, h.holder_id
            ORDER BY e.effective_date, e.event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_t,
        coalesce(c.change, 0) AS change_t
    FROM events AS e
    JOIN holders AS h USING (province_id, quota_type)
    LEFT JOIN event_changes AS c USING (event_id, province_id, quota_type, holder_id)
    LEFT JOIN baseline AS b USING (province_id, quota_type, holder_id)
),
real_legs AS (
    SELECT event_id, effective_date, province_id, quota_type,
           CASE leg_kind WHEN 'transfer' THEN 'transfer_in' ELSE leg_kind END AS leg_kind,
           to_holder_id AS holder_id,
           CASE leg_kind WHEN 'transfer' THEN tonnes_reo ELSE 0 END AS change_t,
           tonnes_reo AS leg_t, source_id
    FROM core.capacity_replacement_legs
    UNION ALL
    SELECT event_id, effective_date, province_id, quota_type, 'transfer_out', from_holder_id,
           -tonnes_reo, tonnes_reo, source_id
    FROM core.capacity_replacement_legs
    WHERE leg_kind = 'transfer'
),
real_rows AS (
    SELECT l.*, r.project_type AS reasons, r.status
    FROM real_legs AS l
    JOIN core.capacity_replacements AS r USING (event_id)
),
tutorial AS (
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'holder' AS row_kind,
    l.holder_id, o.name AS holder_name,
    'net' AS leg_kind, l.before_t, l.change_t, l.before_t + l.change_t AS after_t,
    CAST(NULL AS DOUBLE) AS leg_t, l.reasons, CAST(NULL AS VARCHAR) AS status, l.source_id,
    s.kind = 'illustrative' AS is_illustrative
FROM ledger AS l
LEFT JOIN core.organisations AS o ON o.org_id = l.holder_id
JOIN core.sources AS s ON s.source_id = l.source_id
UNION ALL
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'province_total', NULL, NULL,
    NULL, sum(l.before_t), sum(l.change_t), sum(l.before_t + l.change_t), NULL,
    any_value(l.reasons), NULL, any_value(l.source_id), bool_or(s.kind = 'illustrative')
FROM ledger AS l
JOIN core.sources AS s ON s.source_id = l.source_id
GROUP BY l.event_id, l.effective_date, l.province_id, l.quota_type
)
SELECT * FROM tutorial
UNION ALL BY NAME
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'holder' AS row_kind,
    l.holder_id, o.name AS holder_name, l.leg_kind, CAST(NULL AS DOUBLE) AS before_t,
    l.change_t, CAST(NULL AS DOUBLE) AS after_t, l.leg_t, l.reasons, l.status, l.source_id,
    s.kind = 'illustrative' AS is_illustrative
FROM real_rows AS l
LEFT JOIN core.organisations AS o ON o.org_id = l.holder_id
JOIN core.sources AS s ON s.source_id = l.source_id
UNION ALL BY NAME
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'province_total' AS row_kind,
    NULL AS holder_id, NULL AS holder_name, NULL AS leg_kind, NULL AS before_t,
    sum(l.change_t) AS change_t, NULL AS after_t, NULL AS leg_t, any_value(l.reasons) AS reasons,
    any_value(l.status) AS status, any_value(l.source_id) AS source_id,
    bool_or(s.kind = 'illustrative') AS is_illustrative
FROM real_rows AS l
JOIN core.sources AS s ON s.source_id = l.source_id
GROUP BY l.event_id, l.effective_date, l.province_id, l.quota_type
ORDER BY effective_date, event_id, row_kind, holder_name, leg_kind;
