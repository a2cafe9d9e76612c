"""Contract of the USGS Mineral Commodity Summaries world table, built from its header.

Each edition shifts its year columns (MCS2024: Prod_t_est_2022, Prod_t_est_2023), so the year
columns are found in the header, not by position.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from etl.core.contracts import Contract, ContractError, Field

YEAR_COLUMN = re.compile(r"^Prod_t(?P<est>_est)?_(?P<year>\d{4})$")
FIXED = (
    Field("Source", pattern=r"MCS\d{4}"),
    Field("Country"),
    Field("Type", required=False),
    Field("Prod_notes", required=False),
    Field("Reserves_t", "float", required=False, minimum=0),
    Field("Reserves_notes", required=False),
)


@dataclass(frozen=True)
class YearColumn:
    """A production column of the header: its name, year and whether USGS marks it estimated."""

    name: str
    year: int
    is_estimate: bool


def year_columns(path: Path) -> list[YearColumn]:
    """The `Prod_t[_est]_YYYY` columns of the file's header, in order."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next(csv.reader(io.StringIO(handle.readline())), [])
    found = []
    for name in header:
        match = YEAR_COLUMN.match(name.strip())
        if match:
            found.append(YearColumn(name.strip(), int(match["year"]), bool(match["est"])))
    if not found:
        raise ContractError(
            f"{path}: row 1 (header): no production year column (expected Prod_t_YYYY or "
            f"Prod_t_est_YYYY)"
        )
    return found


def usgs_world_contract(columns: list[YearColumn]) -> Contract:
    """The contract of one edition's file, with its year columns."""
    years = tuple(Field(c.name, "float", required=False, minimum=0) for c in columns)
    return Contract(
        "usgs_world",
        (*FIXED[:3], *years, *FIXED[3:]),
        key=("Source", "Country"),
        description="USGS MCS world mine production and reserves by country, t REO.",
    )
