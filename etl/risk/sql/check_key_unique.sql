-- One row per assessment year, importer, material, stage, variant and sourcing.
SELECT format('{} {} {} {} {} {} {} {} {} {}: {} rows', assessment_year, importer, material,
    stage, variant, sourcing_basis, proxy_hs_code, trade_year, currency, trade_source_id,
    count(*)) AS problem
FROM marts.supply_risk
GROUP BY assessment_year, importer, material, stage, variant, sourcing_basis, proxy_hs_code,
    trade_year, currency, reporter_side, trade_source_id
HAVING count(*) > 1
ORDER BY problem
