"""Capacity, production and reference files dropped in the landing folder (and the bundled
reference files), and the partitions each touches.

Layout (relative to `Settings.landing_dir`, mirroring the bundled data folder); every CSV is
matched to a contract by its header, whatever its name (etl/core/landing.py):

    capacity/*.csv        quotas (one digest per `year` value), holdings baseline, reallocations,
                          reported quota points
    facilities/*.csv      facility capacity figures
    production/mcsYYYY-raree_world*.csv, mcsYYYY-raree_salient*.csv    USGS edition YYYY
    reference/*.csv       sources, entity aliases, countries, country aliases

A change to a reference file, landed or bundled (`<data_dir>/reference/*.csv`, by digest too),
re-runs the reference assets and every partition that depends on them.
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
from etl.capacity.models import FACILITY_CAPACITIES, HOLDINGS_BASELINE, REALLOCATIONS
from etl.capacity.models import QUOTAS as QUOTA_CONTRACT
from etl.core.contracts import Contract
from etl.core.landing import (
    content_digest,
    files_in,
    landed_for,
    settled,
    unmatched,
)
from etl.reference.models import COUNTRIES, COUNTRY_ALIASES, ENTITY_ALIASES, SOURCES

QUOTAS = dg.AssetKey(["capacity", "quotas"])
USGS_WORLD = dg.AssetKey(["production", "usgs_world"])
REFERENCE = dg.AssetKey(["reference"])  # marker: the reference assets and what depends on them
USGS_NAME = re.compile(r"^mcs(?P<edition>\d{4})-raree_(?:world|salient)[^/]*\.csv$")
# Unpartitioned capacity assets: asset -> (landing folder, contract).
CAPACITY_FILES: dict[dg.AssetKey, tuple[str, Contract]] = {
    dg.AssetKey(["capacity", "holdings_baseline"]): ("capacity", HOLDINGS_BASELINE),
    dg.AssetKey(["capacity", "reallocations"]): ("capacity", REALLOCATIONS),
    dg.AssetKey(["capacity", "facilities"]): ("facilities", FACILITY_CAPACITIES),
}
REFERENCE_CONTRACTS = [SOURCES, ENTITY_ALIASES, COUNTRIES, COUNTRY_ALIASES]
WHOLE_FILE = "*"  # digest key of an unpartitioned file
ASSET_MARK = "@asset"  # cursor entry naming the asset of an unpartitioned file
BUNDLED = "bundled:"  # cursor prefix of a bundled (data folder) reference file


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


def _whole(relpath: str, asset: dg.AssetKey, data: bytes) -> Landed:
    return Landed(
        relpath, asset, {WHOLE_FILE: content_digest(data), ASSET_MARK: asset.to_user_string()}
    )


def landed_files(
    landing: Path, now: float | None = None, data_dir: Path | None = None
) -> list[Landed]:
    """Settled landed files (and, with `data_dir`, the bundled reference files) with their
    partition digests."""
    landing = Path(landing)
    now = time.time() if now is None else now
    found: list[Landed] = []
    for quota in landed_for(landing, "capacity", QUOTA_CONTRACT, now):
        relpath = f"capacity/{quota.name}"
        found.append(Landed(relpath, QUOTAS, quota_year_digests(quota.read_bytes())))
    for asset, (folder, contract) in CAPACITY_FILES.items():
        for path in landed_for(landing, folder, contract, now):
            found.append(_whole(f"{folder}/{path.name}", asset, path.read_bytes()))
    for path in files_in(landing, "production", "mcs*-raree_*.csv"):
        match = USGS_NAME.match(path.name)
        if match and settled(path, now):
            digests = {match["edition"]: content_digest(path.read_bytes())}
            found.append(Landed(f"production/{path.name}", USGS_WORLD, digests))
    for contract in REFERENCE_CONTRACTS:
        for path in landed_for(landing, "reference", contract, now):
            if not any(f.relpath == f"reference/{path.name}" for f in found):
                found.append(_whole(f"reference/{path.name}", REFERENCE, path.read_bytes()))
    if data_dir is not None:
        for path in sorted(Path(data_dir, "reference").glob("*.csv")):
            found.append(_whole(f"{BUNDLED}reference/{path.name}", REFERENCE, path.read_bytes()))
    return found


def asset_of(relpath: str, seen: dict[str, str] | None = None) -> dg.AssetKey | None:
    """The asset a file of the sensor's cursor fed (unpartitioned files say so in `seen`)."""
    if seen and ASSET_MARK in seen:
        return dg.AssetKey.from_user_string(seen[ASSET_MARK])
    folder, _, name = relpath.partition("/")
    if folder == "capacity":
        return QUOTAS
    if folder == "production" and USGS_NAME.match(name):
        return USGS_WORLD
    return None


def unmatched_files(landing: Path) -> list[str]:
    """One line per landed capacity, facilities or reference CSV that feeds nothing."""
    landing = Path(landing)
    return [
        *unmatched(
            landing, "capacity", [QUOTA_CONTRACT, QUOTA_POINTS, HOLDINGS_BASELINE, REALLOCATIONS]
        ),
        *unmatched(landing, "facilities", [FACILITY_CAPACITIES]),
        *unmatched(landing, "reference", REFERENCE_CONTRACTS),
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
        asset = asset_of(relpath, seen)
        if relpath in present or asset is None:
            continue
        for key in sorted(
            k for k in seen if k != ASSET_MARK
        ):  # a removed file: its partitions revert to the other files
            out[asset][key].append(f"{relpath}@gone")
    for landed in files:
        seen = cursor.get(landed.relpath, {})
        for key in sorted((landed.digests.keys() | seen.keys()) - {ASSET_MARK}):
            # A partition whose rows disappeared from the file changed too (its rows go).
            if seen.get(key) != landed.digests.get(key):
                digest = landed.digests.get(key, "gone")
                out[landed.asset][key].append(f"{landed.relpath}@{digest}")
    return out
