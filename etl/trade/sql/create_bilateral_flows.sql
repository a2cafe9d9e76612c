-- trade_bilateral_flows (temp view over core): bilateral rows of core.trade_flows (World and
-- other aggregate partners left out), with is_synthetic from the source's kind. The one
-- definition marts.trade_flows, core.trade_flows_yearly and core.buyers start from.
CREATE OR REPLACE TEMP VIEW trade_bilateral_flows AS
SELECT
    f.year,
    f.period,
    f.month,
    f.freq,
    f.exporter_iso3 AS exporter,
    f.importer_iso3 AS importer,
    f.hs_code,
    f.classification,
    f.tonnes,
    f.value_usd,
    f.reporter_side,
    f.flow,
    f.counts_as_origin,
    f.release,
    coalesce(k.kind = 'synthetic', f.source_id = 'synthetic-trade') AS is_synthetic,
    f.source_id,
    f.value,
    f.currency,
    f.cn_code,
    f.code_kind,
    f.is_complete
FROM core.trade_flows AS f
LEFT JOIN trade_source_kinds AS k USING (source_id)
WHERE NOT f.is_aggregate_partner
