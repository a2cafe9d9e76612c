-- Groups and companies.
SELECT org_id AS key, name, org_type, parent_org_id, hq_province_id, hq_country_iso3,
       founded_on, dissolved_on, is_illustrative, source_id
FROM core.organisations
ORDER BY org_id
