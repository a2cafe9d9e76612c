"""Contracts of the USGS Mineral Commodity Summaries files, built from each file's header.

Layouts drift between editions: the world table shifts its year columns every year (MCS2024:
Prod_t_est_2022, Prod_t_est_2023), MCS2022 spells `Prod_t_Est_2021` and has no notes or reserve
columns, and the salient-statistics columns change names (Employment_num, Employment_m;
NIR_..._t, NIR_..._pct). So columns are found in the header, not by position.

USGS cells carry qualifiers, and a qualifier is data: `>90000000` is 90,000,000 with qualifier
`>`; `W` (withheld), `XX` (not applicable), `E` (net exporter), `NA` (not available) are no
number with that qualifier. Thousands may be quoted ("7,900").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.core.contracts import Contract, ContractError, Field

YEAR_COLUMN = re.compile(r"^Prod_t(?P<est>_[Ee]st)?_(?P<year>\d{4})$")
BOUNDS = (">", "<", ">=", "<=")
CODES = ("W", "XX", "E", "NA")
DASH = "-"  # USGS prints a dash for zero: value 0, qualifier "-"
QUALIFIERS = (*BOUNDS, *CODES, DASH)
# One cell: an optional bound, then a number with optional thousands separators; or a code.
QUALIFIED_NUMBER = r"(?:>=|<=|>|<)?\s*[0-9][0-9,]*(?:\.[0-9]+)?|W|XX|E|NA|-{1,2}|\u2014|\u2013"
QUALIFIED_HELP = "a number, a bound (>95, <1), a dash for zero or a qualifier (W, XX, E, NA)"
KEEP_NA = ("",)  # "NA" is a qualifier here, not an empty cell

WORLD_OPTIONAL = ("Type", "Prod_notes", "Reserves_t", "Reserves_notes")


@dataclass(frozen=True)
class YearColumn:
    """A production column of the header: its name, year and whether USGS marks it estimated."""

    name: str
    year: int
    is_estimate: bool


@dataclass(frozen=True)
class SalientItem:
    """What one salient-statistics column measures, in the tidy cross-check file's words."""

    item: str
    unit: str
    element_symbol: str | None = None


# Published column name -> item. Editions rename some columns; both spellings map to one item.
SALIENT_ITEMS: dict[str, SalientItem] = {
    "USprod_Concentrate_t": SalientItem("us_production_mineral_concentrates", "t REO"),
    "USprod_Compounds-Metals_t": SalientItem("us_production_compounds_and_metals", "t REO"),
    "Imports_Compounds_t": SalientItem("us_imports_compounds", "t REO"),
    "Imports_Alloys_t": SalientItem("us_imports_ferrocerium_alloys", "t (gross/REO est.)"),
    "Imports_Metals_t": SalientItem("us_imports_re_metals_sc_y", "t REO"),
    "Exports_Ores-Compounds_t": SalientItem("us_exports_ores_and_compounds", "t REO"),
    "Exports_Alloys_t": SalientItem("us_exports_ferrocerium_alloys", "t"),
    "Exports_Metals_t": SalientItem("us_exports_re_metals_sc_y", "t REO"),
    "Consump_Compounds-Metals_t": SalientItem(
        "us_apparent_consumption_compounds_and_metals", "t REO"
    ),
    "Price_CeO2_dkg": SalientItem("price_cerium_oxide_99.5pct", "USD/kg", "Ce"),
    "Price_Dy2O3_dkg": SalientItem("price_dysprosium_oxide_99.5pct", "USD/kg", "Dy"),
    "Price_Eu2O3_dkg": SalientItem("price_europium_oxide_99.99pct", "USD/kg", "Eu"),
    "Price_La2O3_dkg": SalientItem("price_lanthanum_oxide_99.5pct", "USD/kg", "La"),
    "Price_Mischmetal_dkg": SalientItem("price_mischmetal_65Ce_35La", "USD/kg"),
    "Price_Nd2O3_dkg": SalientItem("price_neodymium_oxide_99.5pct", "USD/kg", "Nd"),
    "Price_TbO2_dkg": SalientItem("price_terbium_oxide_99.99pct", "USD/kg", "Tb"),
    "Employment_num": SalientItem("employment_mine_and_mill", "number"),
    "Employment_m": SalientItem("employment_mine_and_mill", "number"),
    # The _t suffix of MCS2022 and MCS2024 is wrong: the values are percentages.
    "NIR_Compounds-Metals_t": SalientItem(
        "net_import_reliance_compounds_and_metals", "percent of apparent consumption"
    ),
    "NIR_Compounds-Metals_pct": SalientItem(
        "net_import_reliance_compounds_and_metals", "percent of apparent consumption"
    ),
    "NIR_Concentrate_t": SalientItem(
        "net_import_reliance_mineral_concentrates", "percent of apparent consumption"
    ),
    "NIR_Concentrate_pct": SalientItem(
        "net_import_reliance_mineral_concentrates", "percent of apparent consumption"
    ),
}
SALIENT_FIXED = (
    Field("DataSource", pattern=r"MCS\d{4}"),
    Field("Commodity"),
    Field("Year", "int", minimum=1900),
)


def header(path: Path) -> list[str]:
    """The cleaned column names of a CSV file's first line."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        names = next(csv.reader(io.StringIO(handle.readline())), [])
    return [n.strip().strip("\ufeff").replace("\u00a0", " ") for n in names]


def year_columns(path: Path) -> list[YearColumn]:
    """The `Prod_t[_est]_YYYY` columns of the file's header, in order."""
    found = []
    for name in header(path):
        match = YEAR_COLUMN.match(name)
        if match:
            found.append(YearColumn(name, int(match["year"]), bool(match["est"])))
    if not found:
        raise ContractError(
            f"{path}: row 1 (header): no production year column (expected Prod_t_YYYY or "
            f"Prod_t_est_YYYY)"
        )
    return found


def qualified(name: str, required: bool = False) -> Field:
    """A USGS cell: a number, a bound or a qualifier code, kept as text and split later."""
    return Field(
        name,
        required=required,
        pattern=QUALIFIED_NUMBER,
        null_words=KEEP_NA,
        description=f"{name}: {QUALIFIED_HELP}",
    )


def qualified_value(column: str) -> pl.Expr:
    """The number of a qualified cell (null for W, XX, E, NA; 0 for a dash)."""
    text = pl.col(column).str.replace_all(r"[\s,]", "")
    number = text.str.replace(r"^(?:>=|<=|>|<)", "").cast(pl.Float64, strict=False)
    return pl.when(text.str.contains(r"^[-\u2013\u2014]+$")).then(pl.lit(0.0)).otherwise(number)


def qualifier(column: str) -> pl.Expr:
    """The qualifier of a qualified cell (`>`, `<`, `W`, `XX`, `E`, `NA`, `-`), null when plain."""
    text = pl.col(column).str.replace_all(r"\s", "")
    code = text.str.extract(r"^(>=|<=|>|<|W|XX|E|NA)", 1)
    return pl.when(text.str.contains(r"^[-\u2013\u2014]+$")).then(pl.lit(DASH)).otherwise(code)


def usgs_world_contract(columns: list[YearColumn], present: list[str] | None = None) -> Contract:
    """The contract of one edition's world table, with its year columns.

    `present` is the file's header: optional columns it lacks (MCS2022 has no notes or reserves)
    are left out of the contract instead of failing the file.
    """
    names = set(present) if present is not None else set(WORLD_OPTIONAL)
    optional = {
        "Type": Field("Type", required=False),
        "Prod_notes": Field("Prod_notes", required=False),
        "Reserves_t": qualified("Reserves_t"),
        "Reserves_notes": Field("Reserves_notes", required=False),
    }
    fields = [Field("Source", pattern=r"MCS\d{4}"), Field("Country")]
    if "Type" in names:
        fields.append(optional["Type"])
    fields.extend(qualified(c.name) for c in columns)
    fields.extend(optional[n] for n in WORLD_OPTIONAL[1:] if n in names)
    return Contract(
        "usgs_world",
        tuple(fields),
        key=("Source", "Country"),
        description="USGS MCS world mine production and reserves by country, t REO.",
    )


def salient_contract(path: Path) -> Contract:
    """The contract of one edition's US salient-statistics file: every value column qualified."""
    values = [n for n in header(path) if n and n not in {f.name for f in SALIENT_FIXED}]
    if not values:
        raise ContractError(f"{path}: row 1 (header): no value column besides DataSource, Year")
    return Contract(
        "usgs_salient",
        (*SALIENT_FIXED, *(qualified(n) for n in values)),
        key=("DataSource", "Year"),
        description="USGS MCS US salient statistics (production, trade, consumption, prices, "
        "employment, net import reliance) by year.",
    )
