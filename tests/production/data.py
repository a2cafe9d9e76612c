"""Independent readers of the bundled USGS files (csv module only), for expected figures."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from etl.settings import BUNDLED_DATA

PRODUCTION = BUNDLED_DATA / "production"
EDITIONS = ("2022", "2023", "2024")
NAMES = {"China": "CHN", "United States": "USA", "Australia": "AUS", "Burma": "MMR"}


def rows(path: Path) -> list[dict[str, str]]:
    """The non-empty rows of a CSV file, header names stripped."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in reader
            if any((v or "").strip() for v in row.values())
        ]


def cell(text: str) -> tuple[float | None, str | None]:
    """A USGS cell as (number, qualifier): '>95' -> (95, '>'), 'E' -> (None, 'E')."""
    text = text.replace(",", "").replace(" ", "")
    if text in ("W", "XX", "E", "NA"):
        return None, text
    match = re.fullmatch(r"(>=|<=|>|<)?([0-9.]+)", text)
    assert match, f"unexpected USGS cell {text!r}"
    return float(match[2]), match[1]


def world_figures(edition: str) -> dict[tuple[str, int], float]:
    """(country name, year) -> t REO of one edition's world table, read from its header."""
    out = {}
    for row in rows(PRODUCTION / f"mcs{edition}-raree_world.csv"):
        for name, value in row.items():
            match = re.fullmatch(r"Prod_t_(?:[Ee]st_)?(\d{4})", name)
            if match and value:
                out[(row["Country"], int(match[1]))] = float(value.replace(",", ""))
    return out
