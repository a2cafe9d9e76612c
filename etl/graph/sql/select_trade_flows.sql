-- Trade flows: one observation per row, in one named graph per trade dataset.
-- The key is the row's natural key: dataset, period, exporter, importer, flow, HS code, the
-- national 8-digit code (Comext CN8) where there is one, version.
-- Ordered by graph, month and key, a total order (reruns write the same bytes). Each month is
-- one contiguous segment of dataset.nq (incremental releases reuse unchanged months by digest,
-- etl/graph/segments.py).
SELECT concat_ws('-', replace(dataset, 'trade.', ''), period, exporter_iso3, importer_iso3, flow,
                 hs_code, cn_code, classification) AS key,
       'trade-' || replace(replace(dataset, 'trade.', ''), '.', '-') AS graph_name,
       year, month, exporter_iso3, importer_iso3, reporter_iso3, partner_iso3, flow, hs_code,
       classification, value_usd, value, currency, cn_code, code_kind, is_complete, tonnes,
       source_row, source_id,
       -- true on synthetic rows, else null (no triple)
       CASE WHEN source_id IN (SELECT source_id FROM core.sources WHERE kind = 'synthetic')
            THEN true END AS is_synthetic
FROM core.trade_flows
-- synthetic rows enter the published graph only on opt-in (REEKG_INCLUDE_SYNTHETIC=1, set as
-- the session variable by etl/graph/build.py; docs/operations.md)
WHERE getvariable('reekg_include_synthetic') IS TRUE
   OR source_id NOT IN (SELECT source_id FROM core.sources WHERE kind = 'synthetic')
ORDER BY graph_name, year, month, key, source_id, source_row
