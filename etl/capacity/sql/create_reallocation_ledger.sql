-- Before / change / after per reallocation event and holder, plus one 'province_total' row per
-- event whose change_t is the province's net change (zero when the event conserves the total).
-- Every holder of the province appears in every event of it, so a before/after view is complete.
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
)
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'holder' AS row_kind,
    l.holder_id, o.name AS holder_name,
    l.before_t, l.change_t, l.before_t + l.change_t AS after_t,
    l.reasons, l.source_id, s.kind = 'illustrative' AS is_illustrative
FROM ledger AS l
LEFT JOIN core.organisations AS o ON o.org_id = l.holder_id
JOIN core.sources AS s ON s.source_id = l.source_id
UNION ALL
SELECT
    l.event_id, l.effective_date, l.province_id, l.quota_type, 'province_total', NULL, NULL,
    sum(l.before_t), sum(l.change_t), sum(l.before_t + l.change_t),
    any_value(l.reasons), any_value(l.source_id), bool_or(s.kind = 'illustrative')
FROM ledger AS l
JOIN core.sources AS s ON s.source_id = l.source_id
GROUP BY l.event_id, l.effective_date, l.province_id, l.quota_type
ORDER BY 2, 1, 5, 7;
