-- The EU's published stage SRs that do not follow from the published shares (beyond +-0.1):
-- one row per difference, both figures shown (data/SOURCES.md lists the known ones).
SELECT
    format('{} {} {}: published {:.1f}, computed {:.2f} (difference {:+.2f})',
        material, element_symbol, stage, published_supply_risk, supply_risk, difference)
        AS problem,
    material, element_symbol, stage, published_supply_risk, supply_risk, difference
FROM marts.supply_risk
WHERE importer = 'EU27' AND variant = 'baseline' AND sourcing_basis = 'eu_assessment'
    AND abs(difference) > 0.1
ORDER BY material, stage
