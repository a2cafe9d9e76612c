-- China's mine production and share of the world in every USGS edition, with the revision
-- from the previous edition giving the same year.
SELECT
    year, edition, tonnes_reo, qualifier, share_of_world, previous_edition,
    previous_tonnes_reo, previous_share_of_world, change_t, change_pct, editions_reporting
FROM marts.production_revisions
WHERE country_iso3 = 'CHN'
ORDER BY edition, year
