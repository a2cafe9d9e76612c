-- Provinces of China (ISO 3166-2:CN), each in the country CHN.
SELECT province_id AS key, name_en, name_zh, 'CHN' AS country_iso3, source_id
FROM core.provinces
ORDER BY province_id
