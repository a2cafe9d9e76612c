-- Supply-risk observations (marts.supply_risk): one per assessment year, importer, material,
-- stage, variant and sourcing (EU assessment, or a trade heading, year, currency and source).
-- The EU's own method (importer EU27) links to the European Union aggregate country EUU.
-- ree:source is the method (reekg-risk-method, derived); ree:inputSource the inputs' sources.
SELECT
    concat_ws('-', CAST(r.assessment_year AS VARCHAR), r.importer, r.variant, r.sourcing_basis,
        coalesce(r.element_symbol, r.material), r.stage, r.proxy_hs_code,
        CAST(r.trade_year AS VARCHAR), r.currency, r.reporter_side, r.trade_source_id) AS key,
    r.assessment_year, r.importer, c.iso3 AS importer_iso3, r.material, r.element_symbol,
    r.stage, r.variant, r.sourcing_basis, r.is_proxy, r.proxy_hs_code, r.trade_year,
    r.currency, r.supply_basis, r.hhi_wgi_global, r.hhi_wgi_sourcing, r.import_reliance,
    r.eol_rir, r.si_sr, r.global_term, r.sourcing_term, r.largest_term, r.top_supplier_iso3,
    r.china_t, r.supply_risk, r.published_supply_risk, r.difference, r.is_computed,
    r.value_label,
    -- the figure is this project's computation; its inputs' sources are listed apart
    'reekg-risk-method' AS source_id
FROM marts.supply_risk AS r
LEFT JOIN core.countries AS c
    ON c.iso3 = CASE r.importer WHEN 'EU27' THEN 'EUU' ELSE r.importer END
ORDER BY key
