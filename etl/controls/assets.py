"""Export-control assets: events (core.export_controls) and their items
(core.export_control_items)."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl

from etl.controls import models
from etl.core.contracts import reject_where
from etl.core.dates import leading_date
from etl.core.loading import load_file
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, query_frame
from etl.reference.aliases import known_source_ids, resolve_source_urls

GROUP = "controls"
OWNERS = ["team:controls"]
KINDS = {"duckdb", "polars", "csv"}
EVENTS_FILE = "controls/china_export_control_events.csv"
ITEMS_FILE = "controls/china_export_control_items.csv"
EXPORT_CONTROLS = dg.AssetKey(["controls", "export_controls"])
EXPORT_CONTROL_ITEMS = dg.AssetKey(["controls", "export_control_items"])
SUSPENDED_UNTIL = r"suspended until (\d{4}-\d{2}-\d{2})"

Resolved = tuple[pl.DataFrame, pl.DataFrame]


def resolve_controls(frame: pl.DataFrame, sources: pl.DataFrame) -> Resolved:
    """Events with parsed dates, suspension window and source ids."""
    frame, rejected = resolve_source_urls(frame, sources)
    status_sources = sources.filter(pl.col("url").is_not_null()).unique("url", keep="first")
    frame = frame.join(
        status_sources.select(
            pl.col("url").alias("status_source_url"), pl.col("source_id").alias("status_source_id")
        ),
        on="status_source_url",
        how="left",
    )
    unknown = pl.col("status_source_url").is_not_null() & pl.col("status_source_id").is_null()
    rejected = pl.concat(
        [
            rejected,
            reject_where(
                frame,
                unknown,
                "status_source_url",
                "unknown source URL (register it in data/reference/sources.csv)",
            ),
        ]
    )
    suspended = pl.col("status").str.starts_with("suspended")
    good = frame.filter(~unknown).select(
        "event_id",
        leading_date("date_announced").alias("date_announced"),
        pl.col("date_announced").alias("date_announced_as_published"),
        leading_date("date_effective").alias("date_effective"),
        pl.col("date_effective").alias("date_effective_as_published"),
        "authority",
        "document",
        "event_type",
        "status",
        "status_as_of",
        pl.when(suspended).then(leading_date("status_as_of")).alias("suspended_from"),
        pl.col("status")
        .str.extract(SUSPENDED_UNTIL, 1)
        .str.to_date("%Y-%m-%d", strict=False)
        .alias("suspended_until"),
        "items_elements",
        "reference_hs_codes",
        "scope_summary",
        "note",
        "source_id",
        "status_source_id",
    )
    return good, rejected


@dg.asset(
    key=EXPORT_CONTROLS,
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[dg.AssetKey(["reference", "sources"])],
    description="China's rare-earth export-control events (core.export_controls): announcement "
    "and effective dates (as published and parsed), authority, document, type, status as of a "
    "date, suspension window (Nos. 55-58, 61, 62 of 2025 suspended by No. 70 until "
    "2026-11-10) and source.",
)
def export_controls(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.source(EVENTS_FILE),
            label=EVENTS_FILE,
            contract=models.CONTROL_EVENTS,
            core_table="core.export_controls",
            resolve=lambda frame: resolve_controls(frame, known_source_ids(con)),
        )
        return materialize_result(con, "core.export_controls", rejected=report.rejected)


def resolve_items(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Resolved:
    """Items of known events and elements, each citing its event's source."""
    events = query_frame(con, "SELECT event_id, source_id FROM core.export_controls")
    elements = query_frame(con, "SELECT symbol FROM core.elements")
    out = frame.join(events, on="event_id", how="left")
    bad_event = pl.col("source_id").is_null()
    bad_element = ~pl.col("element_symbol").is_in(elements["symbol"].implode())
    bad_hs6 = pl.col("customs_code").is_not_null() & (
        pl.col("customs_code").str.slice(0, 6) != pl.col("hs6")
    )
    rejected = pl.concat(
        [
            reject_where(out, bad_event, "event_id", f"unknown event (not in {EVENTS_FILE})"),
            reject_where(out, bad_element, "element_symbol", "unknown element symbol"),
            reject_where(out, bad_hs6, "hs6", "hs6 is not the first six digits of customs_code"),
        ]
    )
    good = out.filter(~bad_event & ~bad_element & ~bad_hs6.fill_null(False)).select(
        "event_id", "element_symbol", "item", "customs_code", "hs6", "source_id"
    )
    return good, rejected


@dg.asset(
    key=EXPORT_CONTROL_ITEMS,
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[EXPORT_CONTROLS, dg.AssetKey(["reference", "elements"])],
    description="What each control names (core.export_control_items): element, item, the "
    "10-digit Chinese customs code as published and the HS6 heading holding it (No. 18 of "
    "2025: Sm, Gd, Tb, Dy, Lu, Sc, Y; No. 57: Ho, Er, Tm, Eu, Yb, suspended).",
)
def export_control_items(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.source(ITEMS_FILE),
            label=ITEMS_FILE,
            contract=models.CONTROL_ITEMS,
            core_table="core.export_control_items",
            resolve=lambda frame: resolve_items(con, frame),
        )
        return materialize_result(con, "core.export_control_items", rejected=report.rejected)
