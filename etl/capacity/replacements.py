"""Capacity replacement and consolidation: Jiangxi's December 2025 replacement plans, the Inner
Mongolia replacement, China Rare Earth Group's formation, shareholdings and later folds.

A replacement project's new capacity = the firm's own old capacity it retires and replaces +
capacity transferred in from a named firm, which loses it; the province's total does not rise.
Firms' capacities before and after are not published, so none is stored.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

from etl.capacity import models
from etl.core.dates import leading_date
from etl.core.loading import load_file
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, replace_rows
from etl.reference.aliases import (
    alias_table,
    known_source_ids,
    resolve_names,
    resolve_source_urls,
)

GROUP = "capacity"
OWNERS = ["team:capacity"]
KINDS = {"duckdb", "polars", "csv"}
EVENTS_FILE = "capacity/china_consolidation_capacity_events.csv"
MEMBERSHIPS_FILE = "capacity/organisation_memberships.csv"
DEPS = [
    dg.AssetKey(["reference", "sources"]),
    dg.AssetKey(["reference", "entity_aliases"]),
    dg.AssetKey(["reference", "organisations"]),
]
REPLACEMENT = "capacity replacement"
STATED_TOTAL = "total as stated"
QUOTA_TYPE = "smelting_separation"

Resolved = tuple[pl.DataFrame, pl.DataFrame]


def resolve_events(frame: pl.DataFrame, aliases: pl.DataFrame, sources: pl.DataFrame) -> Resolved:
    """Events with source, province and (for replacement projects) firm ids resolved."""
    is_project = pl.col("event_type").str.starts_with(REPLACEMENT) & ~pl.col(
        "event_type"
    ).str.contains(STATED_TOTAL)
    frame = frame.with_columns(
        pl.when(pl.col("jurisdiction").str.starts_with("national"))
        .then(None)
        .otherwise(pl.col("jurisdiction").str.replace(r"\s*\(.*$", ""))
        .alias("province_name"),
        pl.when(is_project).then(pl.col("entity")).alias("firm"),
        pl.when(is_project).then(pl.col("transferred_from")).alias("source_firm"),
    )
    rejects = []
    frame, rej = resolve_source_urls(frame, sources)
    rejects.append(rej)
    for field_name, out_col, kind in (
        ("province_name", "province_id", "province"),
        ("firm", "org_id", "organisation"),
        ("source_firm", "transferred_from_org_id", "organisation"),
    ):
        frame, rej = resolve_names(frame, aliases, field_name, out_col, (kind,))
        rejects.append(rej)
    good = frame.select(
        "event_id",
        pl.col("date").alias("date_as_published"),
        leading_date("date").alias("announced_on"),
        "jurisdiction",
        "province_id",
        "entity",
        "org_id",
        "event_type",
        pl.col("new_capacity_t_reo_per_yr").alias("new_capacity_t"),
        pl.col("own_capacity_replaced_t").alias("own_replaced_t"),
        pl.col("capacity_transferred_in_t").alias("transferred_in_t"),
        "transferred_from",
        "transferred_from_org_id",
        "shareholding_pct",
        "status",
        "is_derived",
        "note",
        "source_id",
        "source_file",
        "source_row",
    )
    return good.sort("source_row"), pl.concat(rejects, how="vertical")


def replacement_rows(events: pl.DataFrame) -> pl.DataFrame:
    """The replacement projects and each plan's published total (row_kind 'stated_total')."""
    rows = events.filter(pl.col("event_type").str.starts_with(REPLACEMENT))
    return rows.select(
        "event_id",
        pl.col("event_id").str.replace(r"-(\d{1,2}|SUM)$", "").alias("plan_id"),
        pl.when(pl.col("event_type").str.contains(STATED_TOTAL))
        .then(pl.lit("stated_total"))
        .otherwise(pl.lit("project"))
        .alias("row_kind"),
        "announced_on",
        "date_as_published",
        "province_id",
        pl.lit(QUOTA_TYPE).alias("quota_type"),
        pl.col("org_id").alias("receiving_org_id"),
        "new_capacity_t",
        "own_replaced_t",
        "transferred_in_t",
        "transferred_from_org_id",
        pl.col("event_type").alias("project_type"),
        "status",
        "is_derived",
        "note",
        "source_id",
        "source_file",
        "source_row",
    )


def replacement_legs(replacements: pl.DataFrame) -> pl.DataFrame:
    """Two legs per project whose split is published: the firm's own capacity retired and
    replaced (from and to the same firm: zero net) and the transfer from the named firm."""
    projects = replacements.filter(
        (pl.col("row_kind") == "project")
        & pl.col("own_replaced_t").is_not_null()
        & pl.col("transferred_in_t").is_not_null()
    )
    common = ("event_id", "province_id", pl.col("announced_on").alias("effective_date"))
    own = projects.select(
        *common,
        pl.lit(1, pl.Int32).alias("leg"),
        pl.lit("own_replacement").alias("leg_kind"),
        pl.col("receiving_org_id").alias("from_holder_id"),
        pl.col("receiving_org_id").alias("to_holder_id"),
        "quota_type",
        pl.col("own_replaced_t").alias("tonnes_reo"),
        "source_id",
    )
    transfer = projects.select(
        *common,
        pl.lit(2, pl.Int32).alias("leg"),
        pl.lit("transfer").alias("leg_kind"),
        pl.col("transferred_from_org_id").alias("from_holder_id"),
        pl.col("receiving_org_id").alias("to_holder_id"),
        "quota_type",
        pl.col("transferred_in_t").alias("tonnes_reo"),
        "source_id",
    )
    return pl.concat([own, transfer]).sort("event_id", "leg")


@dg.asset(
    key=["capacity", "consolidation_events"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=DEPS,
    description="China's consolidation record as reported (core.consolidation_events), its "
    "capacity-replacement projects and published plan totals (core.capacity_replacements) "
    "and their legs (core.capacity_replacement_legs): Jiangxi's December 2025 plans "
    "(press reports of the provincial notice), where each new capacity = own capacity "
    "replaced + capacity transferred from a named firm. Firms' before/after capacities are "
    "not published and not stored.",
)
def consolidation_events(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:

        def resolve(frame: pl.DataFrame) -> Resolved:
            return resolve_events(frame, alias_table(con), known_source_ids(con))

        report, events = load_file(
            con,
            path=settings.source(EVENTS_FILE),
            label=EVENTS_FILE,
            contract=models.CONSOLIDATION_EVENTS,
            core_table="core.consolidation_events",
            resolve=resolve,
        )
        replacements = replacement_rows(events)
        legs = replacement_legs(replacements)
        replace_rows(con, "core.capacity_replacements", replacements)
        replace_rows(con, "core.capacity_replacement_legs", legs)
        return materialize_result(
            con,
            "core.capacity_replacements",
            rejected=report.rejected,
            events=report.landed,
            legs=legs.height,
        )


def resolve_memberships(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Resolved:
    """Member and organisation names to ids, source URLs to source ids."""
    aliases = alias_table(con)
    rejects = []
    frame, rej = resolve_source_urls(frame, known_source_ids(con))
    rejects.append(rej)
    for field_name, out_col in (("member", "member_org_id"), ("organisation", "org_id")):
        frame, rej = resolve_names(frame, aliases, field_name, out_col, ("organisation",))
        rejects.append(rej)
    good = frame.select(
        "membership_id",
        "member_org_id",
        "org_id",
        "role",
        "share_pct",
        "start_date",
        "date_as_published",
        "events_file_row",
        "note",
        "source_id",
    )
    return good, pl.concat(rejects, how="vertical")


@dg.asset(
    key=["capacity", "organisation_memberships"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=DEPS,
    description="Who owns what share of whom (core.organisation_memberships): China Rare Earth "
    "Group's shareholders at formation (SASAC 31.21%, Chinalco, China Minmetals and Ganzhou "
    "Rare Earth Group 20.33% each, CISRI and GRINM 3.9% each), Ganzhou city's 94% of China "
    "Southern Rare Earth, CREG's 100% of Guangdong Rare Earth.",
)
def organisation_memberships(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.source(MEMBERSHIPS_FILE),
            label=MEMBERSHIPS_FILE,
            contract=models.MEMBERSHIPS,
            core_table="core.organisation_memberships",
            resolve=lambda frame: resolve_memberships(con, frame),
        )
        return materialize_result(con, "core.organisation_memberships", rejected=report.rejected)
