-- Violations: a replacement event whose legs change the province's total (a leg without a
-- source or receiving firm), or a transfer leg from a firm to itself.
SELECT format('replacement {} leg {}: {} leg without {} firm', event_id, leg, leg_kind,
              CASE WHEN from_holder_id IS NULL THEN 'a source' ELSE 'a receiving' END)
       AS problem
FROM core.capacity_replacement_legs
WHERE from_holder_id IS NULL OR to_holder_id IS NULL
UNION ALL
SELECT format('replacement {} leg {}: transfer from {} to itself', event_id, leg, from_holder_id)
FROM core.capacity_replacement_legs
WHERE leg_kind = 'transfer' AND from_holder_id = to_holder_id
ORDER BY problem;
