-- Quotas, with the IRI kind of each holder (country, org or province).
SELECT quota_id AS key, year, batch, quota_type, ore_type, scope,
       CASE holder_kind WHEN 'organisation' THEN 'org' ELSE holder_kind END AS holder_iri_kind,
       holder_id, tonnes_reo, is_derived, source_id, source_note, source_file, source_row
FROM core.quotas
ORDER BY quota_id
