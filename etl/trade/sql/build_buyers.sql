-- core.buyers: importing countries seen in non-synthetic trade, and companies named as buyers
-- in supply agreements. Built from core (trade_bilateral_flows), never from marts.
CREATE OR REPLACE TABLE core.buyers AS
WITH kinds AS (
    SELECT source_id,
        CASE kind WHEN 'official' THEN 1 WHEN 'derived' THEN 2 ELSE 3 END AS kind_rank
    FROM trade_source_kinds
),
countries AS (
    SELECT
        f.importer AS buyer_id, 'country' AS buyer_kind, f.importer AS country_iso3,
        min(f.year) AS first_year, max(f.year) AS last_year,
        -- the best kind of source; among equals, the first row in marts.trade_flows' order
        arg_min(
            f.source_id,
            (coalesce(k.kind_rank, 9), f.year, f.period, f.hs_code, f.exporter, f.importer,
                f.reporter_side, f.flow, f.source_id)
        ) AS source_id
    FROM trade_bilateral_flows AS f
    LEFT JOIN kinds AS k USING (source_id)
    WHERE NOT f.is_synthetic AND f.reporter_side IN ('importer', 'reconciled')
    GROUP BY f.importer
),
companies AS (
    SELECT
        buyer_id, 'company' AS buyer_kind, CAST(NULL AS VARCHAR) AS country_iso3,
        CAST(min(year(start_date)) AS BIGINT) AS first_year,
        CAST(max(year(coalesce(end_date, start_date))) AS BIGINT) AS last_year,
        min(source_id) AS source_id, any_value(buyer_name) AS buyer_name
    FROM core.supply_agreements
    WHERE buyer_kind = 'company'
    GROUP BY buyer_id
)
SELECT c.buyer_id, c.buyer_kind, n.name AS name, c.country_iso3, c.first_year, c.last_year,
    c.source_id
FROM countries AS c
LEFT JOIN trade_countries AS n ON n.iso3 = c.country_iso3
UNION ALL
SELECT buyer_id, buyer_kind, buyer_name, country_iso3, first_year, last_year, source_id
FROM companies
ORDER BY buyer_kind, buyer_id
