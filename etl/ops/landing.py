"""Capacity and production files dropped in the landing folder, and the partitions each touches.

Layout (relative to `Settings.landing_dir`, mirroring the bundled data folder):

    capacity/*.csv                       any CSV whose header is the quota contract's: quota
                                         years (one digest per `year` value), whatever its name
    capacity/{holdings_baseline,reallocations,facilities}.csv    unpartitioned capacity assets
    production/mcsYYYY-raree_world.csv   USGS edition partition YYYY

Which files count, settle time and content digests are etl/core/landing.py's (one mechanism
for every domain). A CSV in capacity/ that is neither a quota file nor one of the named files is
reported by `unmatched_files`.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from etl.capacity.crosscheck import QUOTA_POINTS
from etl.capacity.models import QUOTAS as QUOTA_CONTRACT
from etl.core.landing import (
    content_digest,
    files_in,
    inside,
    landed_for,
    settled,
    unmatched,
)
from etl.reference.models import ENTITY_ALIASES, SOURCES

QUOTAS = dg.AssetKey(["capacity", "quotas"])
USGS_WORLD = dg.AssetKey(["production", "usgs_world"])
USGS_NAME = re.compile(r"^mcs(?P<edition>\d{4})-raree_world\.csv$")
CAPACITY_FILES = {
    "holdings_baseline.csv": dg.AssetKey(["capacity", "holdings_baseline"]),
    "reallocations.csv": dg.AssetKey(["capacity", "reallocations"]),
    "facilities.csv": dg.AssetKey(["capacity", "facilities"]),
}
WHOLE_FILE = "*"  # digest key of an unpartitioned file


@dataclass(frozen=True)
class Landed:
    """One landed file: which asset it feeds and a digest per partition it holds."""

    relpath: str
    asset: dg.AssetKey
    digests: dict[str, str]


def quota_year_digests(data: bytes) -> dict[str, str]:
    """A digest per `year` value of a quota file (rows grouped by their year, order kept).

    Years that are not four digits are grouped under their raw text so a fix to them still
    counts as a change; a file without a `year` column yields one whole-file digest.
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        return {WHOLE_FILE: content_digest(data)}
    if "year" not in header:
        return {WHOLE_FILE: content_digest(data)}
    column = header.index("year")
    rows: dict[str, list[str]] = defaultdict(list)
    try:
        for record in reader:
            year = record[column].strip() if column < len(record) else ""
            rows[year].append("\x1f".join(record))
    except csv.Error:
        return {WHOLE_FILE: content_digest(data)}
    return {year: content_digest("\n".join(lines).encode()) for year, lines in rows.items()}


def landed_files(landing: Path, now: float | None = None) -> list[Landed]:
    """Settled capacity and production files in `landing`, with their partition digests."""
    landing = Path(landing)
    now = time.time() if now is None else now
    found: list[Landed] = []
    for quota in landed_for(landing, "capacity", QUOTA_CONTRACT, now):
        if quota.name in CAPACITY_FILES:
            continue
        relpath = f"capacity/{quota.name}"
        found.append(Landed(relpath, QUOTAS, quota_year_digests(quota.read_bytes())))
    for name, asset in CAPACITY_FILES.items():
        path = landing / "capacity" / name
        if inside(landing, path) and settled(path, now):
            found.append(
                Landed(f"capacity/{name}", asset, {WHOLE_FILE: content_digest(path.read_bytes())})
            )
    for path in files_in(landing, "production", "mcs*-raree_world.csv"):
        match = USGS_NAME.match(path.name)
        if match and settled(path, now):
            digests = {match["edition"]: content_digest(path.read_bytes())}
            found.append(Landed(f"production/{path.name}", USGS_WORLD, digests))
    return found


def asset_of(relpath: str) -> dg.AssetKey | None:
    """The asset a landed file (relative path, as in the sensor's cursor) feeds."""
    folder, _, name = relpath.partition("/")
    if folder == "capacity":
        return CAPACITY_FILES.get(name, QUOTAS)
    if folder == "production" and USGS_NAME.match(name):
        return USGS_WORLD
    return None


def unmatched_files(landing: Path) -> list[str]:
    """One line per landed capacity or reference CSV that feeds nothing (etl/core/landing.py)."""
    landing = Path(landing)
    return [
        *unmatched(landing, "capacity", [QUOTA_CONTRACT, QUOTA_POINTS], known=CAPACITY_FILES),
        *unmatched(landing, "reference", [SOURCES, ENTITY_ALIASES]),
    ]


def changed_partitions(
    files: Iterable[Landed], cursor: dict[str, dict[str, str]]
) -> dict[dg.AssetKey, dict[str, list[str]]]:
    """For each asset, the partitions (or `*`) whose digest is new, gone or differs from
    `cursor`, with the files that changed them as `relpath@digest` (`@gone` when removed)."""
    out: dict[dg.AssetKey, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    files = list(files)
    present = {f.relpath for f in files}
    for relpath, seen in sorted(cursor.items()):
        asset = asset_of(relpath)
        if relpath in present or asset is None:
            continue
        for key in sorted(seen):  # a removed file: its partitions revert to the other files
            out[asset][key].append(f"{relpath}@gone")
    for landed in files:
        seen = cursor.get(landed.relpath, {})
        for key in sorted(landed.digests.keys() | seen.keys()):
            # A partition whose rows disappeared from the file changed too (its rows go).
            if seen.get(key) != landed.digests.get(key):
                digest = landed.digests.get(key, "gone")
                out[landed.asset][key].append(f"{landed.relpath}@{digest}")
    return out
