"""Checks on production data."""

from etl.core.checks import ForeignKey, foreign_key_check, sql_check

ALL = [
    foreign_key_check(
        ["production", "usgs_world"],
        "core.production",
        [
            ForeignKey("source_id", "core.sources", "source_id"),
            ForeignKey("country_iso3", "core.countries", "iso3"),
        ],
    ),
    sql_check(
        ["production", "usgs_world"],
        "countries_within_world_total",
        "SELECT format('{} {}: countries add up to {:,.0f} t, above 105% of the rounded world "
        "total {:,.0f} t', p.edition, p.year, sum(p.tonnes_reo), any_value(w.tonnes_reo)) "
        "AS problem FROM core.production AS p JOIN core.production_world AS w "
        "USING (edition, year) GROUP BY p.edition, p.year "
        "HAVING sum(p.tonnes_reo) > 1.05 * any_value(w.tonnes_reo)",
        "Countries never add up to more than the (rounded) world total, within 5%.",
    ),
]
