"""Checks on production data."""

from etl.core.checks import ForeignKey, foreign_key_check, sql_check

USGS = ["production", "usgs_world"]

ALL = [
    foreign_key_check(
        USGS,
        "core.production",
        [
            ForeignKey("source_id", "core.sources", "source_id"),
            ForeignKey("country_iso3", "core.countries", "iso3"),
        ],
    ),
    sql_check(
        USGS,
        "salient_sources_resolve",
        "SELECT DISTINCT 'core.us_salient.source_id = ' || source_id || ' not in core.sources' "
        "AS problem FROM core.us_salient "
        "WHERE source_id NOT IN (SELECT source_id FROM core.sources)",
        "Every US salient-statistics row cites a registered source.",
    ),
    sql_check(
        USGS,
        "world_total_present",
        "SELECT format('edition {} year {}: no world total row landed, so no share of world can "
        "be computed (see quarantine.rejected_rows)', p.edition, p.year) AS problem "
        "FROM (SELECT DISTINCT edition, year FROM core.production) AS p "
        "ANTI JOIN core.production_world AS w USING (edition, year)",
        "Every edition and year with country figures has its world total (qualifiers never lose "
        "the row).",
    ),
    sql_check(
        USGS,
        "countries_within_world_total",
        "SELECT format('{} {}: countries add up to {:,.0f} t, above 105% of the rounded world "
        "total {:,.0f} t', p.edition, p.year, sum(p.tonnes_reo), any_value(w.tonnes_reo)) "
        "AS problem FROM core.production AS p JOIN core.production_world AS w "
        "USING (edition, year) GROUP BY p.edition, p.year "
        "HAVING sum(p.tonnes_reo) > 1.05 * any_value(w.tonnes_reo)",
        "Countries never add up to more than the (rounded) world total, within 5%.",
    ),
    sql_check(
        USGS,
        "net_import_reliance_is_a_percentage",
        "SELECT format('{} {} {}: net import reliance {} is not a percentage of consumption', "
        "edition, year, item, value) AS problem FROM core.us_salient "
        "WHERE item LIKE 'net_import_reliance%' AND (value < 0 OR value > 100)",
        "Net import reliance lies between 0 and 100 percent of apparent consumption.",
    ),
]
