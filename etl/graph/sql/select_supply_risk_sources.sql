-- The sources of every input of a supply-risk observation (shares, parameters, governance
-- indicators, method, controls, quotas, trade): one row per observation and source.
SELECT key, source_id
FROM (
    SELECT
        concat_ws('-', CAST(assessment_year AS VARCHAR), importer, variant, sourcing_basis,
            coalesce(element_symbol, material), stage, proxy_hs_code,
            CAST(trade_year AS VARCHAR), currency, reporter_side, trade_source_id) AS key,
        unnest(string_split(source_ids, ',')) AS source_id
    FROM marts.supply_risk
)
WHERE source_id <> ''
ORDER BY key, source_id
