-- Every supplier country of the assessment's shares has governance estimates in the method's
-- reference years (a country without them would silently drop out of HHI_WGI,t).
SELECT DISTINCT format('{} {} {}: {} ({}) has no WGI estimate in {}-{}', s.scope, s.material,
    s.stage, s.country_as_published, s.iso3, m.first_year, m.last_year) AS problem
FROM core.crm_supply_shares AS s
CROSS JOIN (
    SELECT max(value) FILTER (WHERE parameter = 'wgi_first_year')::INTEGER AS first_year,
        max(value) FILTER (WHERE parameter = 'wgi_last_year')::INTEGER AS last_year
    FROM core.risk_method_parameters
) AS m
WHERE coalesce(s.share_pct, 0) > 0 AND NOT EXISTS (
    SELECT 1 FROM core.wgi_estimates AS w
    WHERE w.iso3 = s.iso3 AND w.year BETWEEN m.first_year AND m.last_year
)
ORDER BY problem
