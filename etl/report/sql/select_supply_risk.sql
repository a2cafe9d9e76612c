-- Supply risk per importer, material and stage (baseline variant), computed where the inputs
-- allow and published otherwise.
SELECT
    importer, material, element_symbol, stage, sourcing_basis,
    supply_risk, published_supply_risk,
    coalesce(supply_risk, published_supply_risk) AS shown_supply_risk, value_label
FROM marts.supply_risk
WHERE variant = 'baseline' AND coalesce(supply_risk, published_supply_risk) IS NOT NULL
ORDER BY importer, sourcing_basis, material, stage
