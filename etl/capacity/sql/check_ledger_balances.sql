-- Violations in the ledger: a province's net change per event is not zero, or a holder ends an
-- event with negative capacity (it gave away more than it held).
SELECT format('reallocation {} in {}: net province change {:,.0f} t (must be 0)',
              event_id, province_id, change_t) AS problem
FROM marts.reallocation_ledger
WHERE row_kind = 'province_total' AND abs(change_t) > 0.001
UNION ALL
SELECT format('reallocation {} in {}: {} ends with {:,.0f} t (gave away more than it held)',
              event_id, province_id, holder_id, after_t)
FROM marts.reallocation_ledger
WHERE row_kind = 'holder' AND after_t < -0.001
ORDER BY problem;
