-- Buyers: importing countries and companies named in supply agreements.
SELECT buyer_id AS key, buyer_kind, coalesce(name, buyer_id) AS name, country_iso3, first_year,
       last_year, source_id
FROM core.buyers
ORDER BY buyer_id
