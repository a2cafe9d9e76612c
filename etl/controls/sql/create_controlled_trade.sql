-- Imports from China in HS6 headings that contain a line named by an export control, per buyer,
-- year and heading, with each control in force in that year (one row per control; none: NULL).
-- A heading is not wholly controlled (No. 18 of 2025 names e.g. 2805301910 inside 280530), so
-- imports_from_china_usd is an UPPER BOUND on controlled trade, never the controlled trade.
-- Buyers are the importers of marts.trade_flows as the importer (or a reconciliation) reports,
-- and EU27 (marts.buyer_supplier_shares); imports_from_china is in `currency` (EUR for
-- Comext), imports_from_china_usd only for USD reports. 4-digit headings are left out.
CREATE OR REPLACE TABLE marts.controlled_trade AS
WITH controls AS (
    SELECT event_id, document, coalesce(date_effective, date_announced) AS in_force_from,
           suspended_from AS in_force_until, suspended_until
    FROM core.export_controls
),
headings AS (
    SELECT i.hs6, i.event_id,
           string_agg(DISTINCT i.element_symbol, ',' ORDER BY i.element_symbol) AS elements,
           string_agg(DISTINCT i.customs_code, ',' ORDER BY i.customs_code) AS controlled_lines
    FROM core.export_control_items AS i
    WHERE i.hs6 IS NOT NULL
    GROUP BY i.hs6, i.event_id
),
imports AS (
    SELECT importer AS buyer, year, hs_code AS hs6, reporter_side, source_id, currency,
           -- float sums as exact decimals (to a millionth of a currency unit or tonne: the
           -- figures have cents and kilograms), the same bits whatever order rows come in
           CAST(sum(CAST(value_usd AS DECIMAL(38, 6))) AS DOUBLE) AS value_usd,
           CAST(sum(CAST(value AS DECIMAL(38, 6))) AS DOUBLE) AS value,
           CAST(sum(CAST(tonnes AS DECIMAL(38, 6))) AS DOUBLE) AS tonnes
    FROM marts.trade_flows
    WHERE exporter = 'CHN' AND counts_as_origin AND NOT is_synthetic
      AND reporter_side IN ('importer', 'reconciled') AND code_kind = 'hs6'
      AND hs_code IN (SELECT hs6 FROM headings)
    GROUP BY ALL
    UNION ALL
    -- EU27 as one buyer: its members' imports from China (extra-EU by definition), in EUR
    SELECT buyer, year, hs_code, reporter_side, source_id, currency, value_usd, value, tonnes
    FROM marts.buyer_supplier_shares
    WHERE buyer = 'EU27' AND supplier = 'CHN' AND NOT is_synthetic
      AND hs_code IN (SELECT hs6 FROM headings)
),
in_force AS (
    SELECT i.*, h.event_id, h.elements, h.controlled_lines, c.document, c.in_force_from,
           c.in_force_until, c.suspended_until
    FROM imports AS i
    LEFT JOIN headings AS h
        ON h.hs6 = i.hs6
       AND EXISTS (
            SELECT 1 FROM controls AS c2
            WHERE c2.event_id = h.event_id AND c2.in_force_from IS NOT NULL
              AND year(c2.in_force_from) <= i.year
              AND (c2.in_force_until IS NULL OR c2.in_force_until >= make_date(i.year, 1, 1)))
    LEFT JOIN controls AS c ON c.event_id = h.event_id
)
SELECT
    buyer, n.name AS buyer_name, year, hs6, event_id AS control_event_id, document AS control,
    elements AS controlled_elements, controlled_lines, in_force_from, in_force_until,
    CASE
        WHEN event_id IS NULL THEN 'none'
        WHEN in_force_from <= make_date(year, 1, 1)
         AND (in_force_until IS NULL OR in_force_until > make_date(year, 12, 31)) THEN 'whole year'
        ELSE 'part of year'
    END AS control_coverage,
    value_usd AS imports_from_china_usd, tonnes AS imports_from_china_t,
    true AS is_upper_bound, reporter_side, f.source_id,
    value AS imports_from_china, currency
FROM in_force AS f
LEFT JOIN core.countries AS n ON n.iso3 = f.buyer
ORDER BY buyer, hs6, year, currency, control_event_id;
