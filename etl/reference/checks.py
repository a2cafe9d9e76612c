"""Checks on the reference tables: every id they cite resolves."""

from etl.core.checks import ForeignKey, foreign_key_check

SOURCE = ForeignKey("source_id", "core.sources", "source_id")

ALL = [
    foreign_key_check(
        ["reference", "elements"],
        "core.elements",
        [SOURCE, ForeignKey("class_source_id", "core.sources", "source_id")],
    ),
    foreign_key_check(
        ["reference", "organisations"],
        "core.organisations",
        [
            SOURCE,
            ForeignKey("parent_org_id", "core.organisations", "org_id"),
            ForeignKey("hq_province_id", "core.provinces", "province_id"),
            ForeignKey("hq_country_iso3", "core.countries", "iso3"),
        ],
    ),
    foreign_key_check(
        ["reference", "entity_aliases"],
        "core.organisation_events",
        [
            SOURCE,
            ForeignKey("from_org_id", "core.organisations", "org_id"),
            ForeignKey("to_org_id", "core.organisations", "org_id"),
        ],
    ),
]
