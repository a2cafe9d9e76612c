-- Every element the assessment gives parameters for has an EU27 baseline row for both stages.
SELECT format('{} ({}): no EU27 baseline row for {}', a.material, a.element_symbol, s.stage)
    AS problem
FROM (SELECT DISTINCT material, element_symbol FROM core.crm_parameters
      WHERE element_symbol IS NOT NULL) AS a
CROSS JOIN (SELECT unnest(['extraction', 'processing']) AS stage) AS s
WHERE NOT EXISTS (
    SELECT 1 FROM marts.supply_risk AS r
    WHERE r.importer = 'EU27' AND r.variant = 'baseline' AND r.sourcing_basis = 'eu_assessment'
        AND r.element_symbol = a.element_symbol AND r.stage = s.stage
)
ORDER BY problem
