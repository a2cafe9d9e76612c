-- Violations: a replacement project whose new capacity is not its own replaced capacity plus
-- the capacity transferred in (e.g. Longnan 5,500 = 3,000 + 2,500).
SELECT format('{} ({}): new capacity {:,.0f} t/yr != own replaced {:,.0f} + transferred in {:,.0f}',
              event_id, receiving_org_id, new_capacity_t, own_replaced_t, transferred_in_t)
       AS problem
FROM core.capacity_replacements
WHERE row_kind = 'project' AND own_replaced_t IS NOT NULL AND transferred_in_t IS NOT NULL
  AND abs(new_capacity_t - own_replaced_t - transferred_in_t) > 0.001
ORDER BY problem;
