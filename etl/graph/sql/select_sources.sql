-- Sources: one entity per source_id.
SELECT source_id AS key, title, publisher, url, published_on, kind, license, notes
FROM core.sources
ORDER BY source_id
