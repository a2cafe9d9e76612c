-- Supply agreements; the supplier is an organisation, or a country when given as an ISO3 code.
SELECT a.agreement_id AS key, a.buyer_id,
       CASE WHEN o.org_id IS NULL AND regexp_full_match(a.supplier_id, '[A-Z]{3}') THEN 'country'
            ELSE 'org' END AS supplier_iri_kind,
       a.supplier_id, a.buyer_name || ' / ' || a.supplier_name AS label,
       CASE WHEN regexp_full_match(a.commodity, '[0-9]{6}|[0-9]{8}') THEN a.commodity END AS hs_code,
       a.commodity, a.volume_tonnes_per_year, a.start_date, a.end_date, a.notes, a.source_id
FROM core.supply_agreements AS a
LEFT JOIN core.organisations AS o ON o.org_id = a.supplier_id
ORDER BY a.agreement_id
