"""Checks on the written report, beside the asset: self-contained, and honest about examples."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg

from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WarehouseResource, connect_with_retry, load_sql
from etl.report.models import ILLUSTRATIVE_LABEL, REPORT_FILE, REPORT_KEY, SQL_DIR

# Anything a browser would fetch by itself: script/img/iframe/source/embed src, <link href>,
# CSS url(...) and @import, pointing at another host.
EXTERNAL_FETCH = re.compile(
    r"<(?:script|img|iframe|source|embed|audio|video|track|input)\b[^>]*\bsrc\s*=\s*[\"']?"
    r"(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|@import\s+[\"'](?:https?:)?//",
    re.IGNORECASE,
)


def external_fetches(page: str) -> list[str]:
    """Snippets of `page` that would make a browser fetch something from another host."""
    return [page[m.start() : m.start() + 120] for m in EXTERNAL_FETCH.finditer(page)]


def _page(settings: SettingsResource) -> str:
    return (Path(settings.report_dir) / REPORT_FILE).read_text(encoding="utf-8")


@dg.asset_check(
    asset=REPORT_KEY,
    name="self_contained",
    description="The report loads nothing from another host: no external script, stylesheet, "
    "image, frame or CSS url (links to sources are plain anchors, fetched only when clicked).",
)
def self_contained(settings: SettingsResource) -> dg.AssetCheckResult:
    found = external_fetches(_page(settings))
    return dg.AssetCheckResult(
        passed=not found,
        metadata={"external_fetches": dg.MetadataValue.json(found[:10])},
        description=None if not found else f"{len(found)} external fetch(es), e.g. {found[0]!r}",
    )


@dg.asset_check(
    asset=REPORT_KEY,
    name="illustrative_marked",
    description="When the published reallocation ledger holds illustrative events, the report's "
    f"reallocation section names each of them and says '{ILLUSTRATIVE_LABEL}'.",
)
def illustrative_marked(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.AssetCheckResult:
    page = _page(settings)
    start = page.find('<section id="reallocations"')
    section = page[start : page.find("</section>", start)] if start >= 0 else ""
    con = connect_with_retry(Path(warehouse.published_path), read_only=True)
    try:
        rows = con.execute(load_sql(SQL_DIR, "select_illustrative_events")).fetchall()
    finally:
        con.close()
    events = [event_id for (event_id,) in rows]
    unlabelled = [e for e in events if e not in section]
    labelled = not events or ILLUSTRATIVE_LABEL in section
    return dg.AssetCheckResult(
        passed=labelled and not unlabelled,
        metadata={
            "illustrative_events": dg.MetadataValue.json(events),
            "missing_from_report": dg.MetadataValue.json(unlabelled),
            "label_present": labelled,
        },
    )


ALL = [self_contained, illustrative_marked]
