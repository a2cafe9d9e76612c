-- Every source with its kind and publication date; age in days on $as_of (NULL when undated).
SELECT
    source_id, title, publisher, url, published_on, kind, license, notes,
    date_diff('day', published_on, CAST($as_of AS DATE)) AS age_days
FROM core.sources
ORDER BY kind, published_on DESC NULLS LAST, source_id
