-- Supply risk per importer, material and stage (baseline variant): the EU's own assessment, and
-- for trade-proxy importers their latest trade year, one series per proxy heading. Computed
-- where the inputs allow, published otherwise.
WITH latest AS (
    SELECT importer, sourcing_basis, max(trade_year) AS trade_year
    FROM marts.supply_risk
    WHERE variant = 'baseline'
    GROUP BY ALL
)
SELECT
    r.importer, r.material, r.element_symbol, r.stage, r.sourcing_basis,
    r.is_proxy, r.proxy_hs_code, r.trade_year,
    r.importer || ' · ' || r.stage || ' · '
        || CASE WHEN r.is_proxy
            THEN 'trade proxy HS ' || r.proxy_hs_code || ' (' || r.trade_year || ')'
            ELSE replace(r.sourcing_basis, '_', ' ') END AS series,
    r.supply_risk, r.published_supply_risk,
    coalesce(r.supply_risk, r.published_supply_risk) AS shown_supply_risk, r.value_label
FROM marts.supply_risk AS r
JOIN latest AS l USING (importer, sourcing_basis)
WHERE r.variant = 'baseline'
    AND coalesce(r.supply_risk, r.published_supply_risk) IS NOT NULL
    AND r.trade_year IS NOT DISTINCT FROM l.trade_year
ORDER BY r.importer, r.sourcing_basis, r.proxy_hs_code, r.stage, r.material
