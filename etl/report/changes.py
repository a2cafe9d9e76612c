"""What changed: headline figures compared with the previous report, and Markdown previews.

The previous report's figures are kept beside it in `summary.json`; each run compares its
figures with them, so both the page and the Dagster UI say what moved since last time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from etl.core.metadata import frame_to_markdown
from etl.report.models import (
    ILLUSTRATIVE_LABEL,
    INCOMPLETE_LABEL,
    QUOTA_TYPE_LABELS,
    SOURCE_KIND_LABELS,
    SYNTHETIC_LABEL,
    KeyFigure,
    ReportData,
    featured,
    fmt,
    headline_series,
)


def _t(value: float | None) -> str:
    return fmt(value, ",.0f", " t")


def _signed(value: float | None) -> str:
    return fmt(value, "+,.0f", " t", missing="")


def read_previous(path: Path) -> dict[str, str]:
    """Figures of the previous report (`summary.json`), or nothing when there is none."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    figures = loaded.get("figures", {}) if isinstance(loaded, dict) else {}
    return {str(k): str(v) for k, v in figures.items()} if isinstance(figures, dict) else {}


Row = tuple[str, str, str, str, str, str]  # key, label, value, note, section, source_id


def _first_source(ids: str | None) -> str:
    return (ids or "").split(",")[0].strip()


def _quota_figures(data: ReportData) -> list[Row]:
    """National annual quota and its largest group, from the latest complete (annual) year."""
    out: list[Row] = []
    for (quota_type,), rows in data.national_by_year.group_by(["quota_type"], maintain_order=True):
        last = rows.sort("year").row(-1, named=True)
        kind = QUOTA_TYPE_LABELS.get(str(quota_type), str(quota_type))
        out.append(
            (
                f"annual.{quota_type}",
                f"National annual quota · {kind}",
                f"{last['year']}: {_t(last['tonnes_reo'])}",
                f"{_signed(last['yoy_change'])} year on year" if last["yoy_change"] else "",
                "quotas",
                "",
            )
        )
        groups = data.holders_by_year.filter(
            (pl.col("quota_type") == quota_type) & (pl.col("year") == last["year"])
        )
        if groups.is_empty():
            continue
        top = groups.sort("tonnes_reo", descending=True).row(0, named=True)
        share = top["tonnes_reo"] / last["tonnes_reo"] if last["tonnes_reo"] else None
        attributed = groups["tonnes_reo"].sum() / last["tonnes_reo"] if last["tonnes_reo"] else None
        out.append(
            (
                f"top_group.{quota_type}",
                f"Largest group · {kind} · {last['year']}",
                f"{top['holder_name'] or top['holder_id']}: {fmt(share, '.0%')}",
                f"{_t(top['tonnes_reo'])} of {_t(last['tonnes_reo'])}; groups named for "
                f"{fmt(attributed, '.0%')} of the year",
                "holders",
                _first_source(top["source_ids"]),
            )
        )
    return out


def _analyst_figures(data: ReportData) -> list[Row]:
    """The real replacement plan, each buyer's exposure, one scenario per buyer, controls."""
    out: list[Row] = []
    plans = data.frame("replacement_plans")
    if plans is not None:
        for p in plans.iter_rows(named=True):
            out.append(
                (
                    f"replacement.{p['plan_id']}",
                    f"Capacity replacement · {p['province_name'] or p['province_id']}",
                    f"{p['projects']} projects, {_t(p['summed_new_capacity_t'])}",
                    f"{_t(p['transferred_t'])} transferred between firms; the plan states "
                    f"{_t(p['stated_total_t'])} ({_signed(p['summed_minus_stated_t'])} summed)",
                    "jiangxi",
                    p["source_id"] or "",
                )
            )
    series = data.frame("buyer_series")
    headline: set[tuple[str, str]] = set()  # (buyer, heading) with a card
    if series is not None:
        for last in headline_series(series):
            headline.add((last["buyer"], last["hs_code"]))
            mark = f" — {SYNTHETIC_LABEL}" if last["is_synthetic"] else ""
            out.append(
                (
                    f"buyer_china_share.{last['buyer']}.{last['hs_code']}.{last['reporter_side']}",
                    f"China's share of {last['buyer_name']} imports, HS {last['hs_code']}",
                    f"{last['year']}: {fmt(last['china_share_value'], '.0%')} of "
                    f"{fmt(last['buyer_value'] / 1e6, ',.1f')} M {last['currency']}",
                    f"supplier HHI {fmt(last['hhi_value'], ',.0f')}{mark}"
                    + ("" if last["is_complete"] else f" — {INCOMPLETE_LABEL}"),
                    "exposure",
                    last["source_id"],
                )
            )
    else:
        out.append(("buyer_china_share", "Trade", "no trade data", "", "exposure", ""))
    if data.scenarios is not None:
        cut = featured(data.scenarios).filter(
            (pl.col("cut_target") == "CN-JX") & (pl.col("cut_fraction") == 0.3)
        )
        for _, g in cut.group_by(["buyer", "hs_code", "reporter_side"], maintain_order=True):
            last = g.sort("year").row(-1, named=True)
            if (last["buyer"], last["hs_code"]) not in headline:
                continue
            out.append(
                (
                    f"scenario.CN-JX.0.3.{last['buyer']}.{last['hs_code']}",
                    f"Jiangxi cut by 30 % · {last['buyer']} HS {last['hs_code']}",
                    f"{last['year']}: {fmt(last['shortfall_value'] / 1e6, ',.2f')} "
                    f"M {last['currency']} short",
                    f"{fmt(last['shortfall_share_of_imports'], '.1%')} of its imports",
                    "scenarios",
                    last["source_id"],
                )
            )
    controls = data.frame("export_controls")
    if controls is not None:
        counts = dict(controls.group_by("status_group").len().iter_rows())
        out.append(
            (
                "export_controls",
                "Export-control measures",
                f"{counts.get('in force', 0)} in force, {counts.get('suspended', 0)} suspended",
                f"{controls.height} measures in all",
                "controls",
                "",
            )
        )
    return out


def key_figures(data: ReportData, previous: dict[str, str]) -> list[KeyFigure]:
    """Headline figures of this report, each with the previous report's value if it had one."""
    rows: list[Row] = _quota_figures(data)
    if not data.china_production.is_empty():
        prod = data.china_production.sort("year")
        last = prod.row(-1, named=True)
        note = ""
        if prod.height > 1:
            before = prod.row(-2, named=True)
            note = f"{before['year']}: {fmt(before['share_of_world'], '.0%')}"
        rows.append(
            (
                "china_share_of_world",
                "China's share of world mine production",
                f"{last['year']}: {fmt(last['share_of_world'], '.0%')} "
                f"({_t(last['china_tonnes_reo'])})",
                note,
                "china_share",
                last["source_id"],
            )
        )
    rows += _analyst_figures(data)
    events = data.ledger.filter(pl.col("is_illustrative")).select("event_id", "effective_date")
    events = events.unique()
    if not events.is_empty():
        last = events.sort("effective_date", "event_id").row(-1, named=True)
        rows.append(
            (
                "reallocations",
                "Reallocation example",
                f"{events.height} event(s) (latest {last['effective_date']})",
                f"{last['event_id']} — {ILLUSTRATIVE_LABEL}",
                "reallocations",
                "",
            )
        )
    dated = data.sources.filter(pl.col("published_on").is_not_null())
    newest = dated.sort("published_on").row(-1, named=True) if not dated.is_empty() else None
    rows.append(
        (
            "sources",
            "Sources",
            f"{data.sources.height} ({data.sources.height - dated.height} undated)",
            f"newest {newest['published_on']} ({newest['source_id']})" if newest else "",
            "sources",
            newest["source_id"] if newest else "",
        )
    )
    for table, count in sorted(data.row_counts.items()):
        rows.append((f"rows.{table}", f"rows in {table}", f"{count:,}", "", "", ""))
    return [
        KeyFigure(key, label, value, previous.get(key), note, section, source_id)
        for key, label, value, note, section, source_id in rows
    ]


def summary_json(figures: list[KeyFigure], generated_at: str) -> str:
    """What the next report compares with."""
    payload = {"generated_at": generated_at, "figures": {f.key: f.value for f in figures}}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def what_changed_markdown(figures: list[KeyFigure], had_previous: bool) -> str:
    """Headline figures: now, in the previous report, and whether they changed."""
    body = _md_table(
        ["figure", "now", "previous report", "changed", "note"],
        [
            [
                f.label,
                f.value,
                f.previous if f.previous is not None else "—",
                "**yes**" if f.changed else ("new" if f.previous is None and had_previous else ""),
                f.note,
            ]
            for f in figures
        ],
    )
    head = "" if had_previous else "_First report here: nothing to compare with yet._\n\n"
    changed = [f.label for f in figures if f.changed]
    tail = f"\n\n**Changed since the previous report:** {', '.join(changed)}" if changed else ""
    return head + body + tail


def _rounded(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Float64).round(3))


def previews(data: ReportData, figures: list[KeyFigure], had_previous: bool) -> dict[str, str]:
    """Markdown previews of the marts behind the report, for the asset's metadata."""
    latest = data.latest_batch.select(
        "year",
        "batch",
        "quota_type",
        "scope",
        "holder_name",
        "tonnes_reo",
        "prev_batch_tonnes_reo",
        "batch_change",
        "prev_year_tonnes_reo",
        "yoy_change",
        "is_derived",
    )
    holders = data.concentration.filter(pl.col("dimension") == "holder").sort("year", "batch")
    recent = holders.group_by("quota_type", maintain_order=True).tail(2)
    out = {
        "what_changed": what_changed_markdown(figures, had_previous),
        "latest_batch_vs_previous": frame_to_markdown(_rounded(latest), limit=20),
        "concentration_latest_two_batches": frame_to_markdown(
            _rounded(recent).select(
                "quota_type",
                "year",
                "batch",
                "n",
                "hhi",
                "top1_member",
                "top1_share",
                "split_complete",
            ),
            limit=20,
        ),
        "reallocation_ledger": frame_to_markdown(
            data.ledger.select(
                "event_id",
                "effective_date",
                "province_id",
                "row_kind",
                "holder_name",
                "before_t",
                "change_t",
                "after_t",
                "is_illustrative",
            ),
            limit=20,
        ),
        "china_share_of_world_production": frame_to_markdown(
            _rounded(data.china_production).select(
                "year",
                "edition",
                "china_tonnes_reo",
                "world_tonnes_reo",
                "share_of_world",
                "is_estimate",
            )
        ),
        "sources_by_kind": _md_table(
            ["kind", "sources", "dated", "newest", "oldest"],
            [
                [SOURCE_KIND_LABELS.get(k, k), n, d, newest, oldest]
                for k, n, d, newest, oldest in data.sources.group_by("kind")
                .agg(
                    pl.len().alias("sources"),
                    pl.col("published_on").count().alias("dated"),
                    pl.col("published_on").max().alias("newest"),
                    pl.col("published_on").min().alias("oldest"),
                )
                .sort("kind")
                .iter_rows()
            ],
        ),
    }
    if data.buyer_shares is None or data.buyer_shares.is_empty():
        out["buyer_supplier_shares"] = "_No trade data in the published warehouse._"
    else:
        series = data.buyer_shares.filter(pl.col("series_rank") == 1)
        last_year = series["year"].max()
        out["buyer_supplier_shares"] = frame_to_markdown(
            _rounded(series)
            .filter(pl.col("year") == last_year)
            .select(
                "year",
                "buyer",
                "hs_code",
                "supplier",
                "value_usd",
                "share_value",
                "hhi_value",
                "is_synthetic",
                "source_id",
            ),
            limit=10,
        )
    return out
