-- Violations: a reallocation event that changes its province's total (a leg with no receiving
-- holder, or a holder giving to itself), and any holder left with negative capacity.
SELECT format('reallocation {} in {} ({}): province total changes by {:,.0f} t',
              event_id, province_id, quota_type,
              sum(CASE WHEN to_holder_id IS NULL THEN -tonnes_reo ELSE 0 END)) AS problem
FROM core.reallocations
GROUP BY event_id, province_id, quota_type
HAVING abs(sum(CASE WHEN to_holder_id IS NULL THEN -tonnes_reo ELSE 0 END)) > 0.001
UNION ALL
SELECT format('reallocation {} leg {}: {} gives to itself', event_id, leg, from_holder_id)
FROM core.reallocations WHERE from_holder_id = to_holder_id
ORDER BY problem;
