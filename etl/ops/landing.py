"""Capacity and production files dropped in the landing folder, and the partitions each touches.

Layout (relative to `Settings.landing_dir`, mirroring the bundled data folder):

    capacity/china_re_quotas_2015_2023.csv   quota years (one digest per `year` value); the
                                         name the quotas asset reads, whatever years it holds
    capacity/{holdings_baseline,reallocations,facilities}.csv    unpartitioned capacity assets
    production/mcsYYYY-raree_world.csv   USGS edition partition YYYY

Only regular files whose resolved path stays inside the landing folder count: a symlink that
points elsewhere, a `..` escape or a name outside these patterns is ignored, so a sensor can
never make an asset read outside the folder. A file modified less than `SETTLE_SECONDS` ago is
left for the next tick (it may still be being copied in).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from etl.capacity.assets import QUOTA_FILE

SETTLE_SECONDS = 2.0
QUOTAS = dg.AssetKey(["capacity", "quotas"])
USGS_WORLD = dg.AssetKey(["production", "usgs_world"])
QUOTA_NAME = Path(QUOTA_FILE).name
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


def inside(root: Path, path: Path) -> bool:
    """True when `path` is a regular file, not a symlink, resolving to a place inside `root`."""
    try:
        if path.is_symlink() or ".." in path.relative_to(root).parts:
            return False
        resolved = path.resolve(strict=True)
    except (OSError, ValueError):
        return False
    return resolved.is_file() and resolved.is_relative_to(root.resolve())


def _settled(path: Path, now: float) -> bool:
    return now - path.stat().st_mtime >= SETTLE_SECONDS


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


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
        return {WHOLE_FILE: _digest(data)}
    if "year" not in header:
        return {WHOLE_FILE: _digest(data)}
    column = header.index("year")
    rows: dict[str, list[str]] = defaultdict(list)
    try:
        for record in reader:
            year = record[column].strip() if column < len(record) else ""
            rows[year].append("\x1f".join(record))
    except csv.Error:
        return {WHOLE_FILE: _digest(data)}
    return {year: _digest("\n".join(lines).encode()) for year, lines in rows.items()}


def _files(root: Path, folder: str, pattern: str) -> Iterable[Path]:
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob(pattern) if inside(root, p))


def landed_files(landing: Path, now: float | None = None) -> list[Landed]:
    """Settled capacity and production files in `landing`, with their partition digests."""
    landing = Path(landing)
    now = time.time() if now is None else now
    found: list[Landed] = []
    quota = landing / "capacity" / QUOTA_NAME
    if inside(landing, quota) and _settled(quota, now):
        found.append(
            Landed(f"capacity/{QUOTA_NAME}", QUOTAS, quota_year_digests(quota.read_bytes()))
        )
    for name, asset in CAPACITY_FILES.items():
        path = landing / "capacity" / name
        if inside(landing, path) and _settled(path, now):
            found.append(
                Landed(f"capacity/{name}", asset, {WHOLE_FILE: _digest(path.read_bytes())})
            )
    for path in _files(landing, "production", "mcs*-raree_world.csv"):
        match = USGS_NAME.match(path.name)
        if match and _settled(path, now):
            digests = {match["edition"]: _digest(path.read_bytes())}
            found.append(Landed(f"production/{path.name}", USGS_WORLD, digests))
    return found


def changed_partitions(
    files: Iterable[Landed], cursor: dict[str, dict[str, str]]
) -> dict[dg.AssetKey, dict[str, list[str]]]:
    """For each asset, the partitions (or `*`) whose digest is new, gone or differs from
    `cursor`, with the files that changed them as `relpath@digest` (`@gone` when removed)."""
    out: dict[dg.AssetKey, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for landed in files:
        seen = cursor.get(landed.relpath, {})
        for key in sorted(landed.digests.keys() | seen.keys()):
            # A partition whose rows disappeared from the file changed too (its rows go).
            if seen.get(key) != landed.digests.get(key):
                digest = landed.digests.get(key, "gone")
                out[landed.asset][key].append(f"{landed.relpath}@{digest}")
    return out
