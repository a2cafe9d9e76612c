"""Paths and an independent implementation of the EU supply-risk formula, for the risk tests.

Everything here reads the bundled CSVs with the standard library only: it shares no code with
etl/risk, so a test comparing the two catches an error in either.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from etl.settings import BUNDLED_DATA

RISK = BUNDLED_DATA / "risk"
WGI_FILE = RISK / "wgi_2024update_estimates_2016_2023.csv"
GLOBAL_FILE = RISK / "eu_crm2023_global_supply_shares_ree.csv"
EU_FILE = RISK / "eu_crm2023_eu_sourcing_shares_ree.csv"
PARAMETERS_FILE = RISK / "eu_crm_ree_parameters_long.csv"
EXAMPLES_FILE = RISK / "worked_examples_ree_sr_2023_inputs.csv"
# CritMAT's EU2023 preset (data/SOURCES.md).
REFERENCE_YEARS = range(2016, 2021)
STAGE = {"E": "extraction", "P": "processing"}
ASSESSED = {
    "La": "Lanthanum", "Ce": "Cerium", "Pr": "Praseodymium", "Nd": "Neodymium",
    "Sm": "Samarium", "Eu": "Europium", "Gd": "Gadolinium", "Tb": "Terbium",
    "Dy": "Dysprosium", "Ho": "Holmium", "Er": "Erbium", "Tm": "Thulium",
    "Yb": "Ytterbium", "Lu": "Lutetium", "Y": "Yttrium", "Sc": "Scandium",
}  # fmt: skip
# Published stage SRs that do not follow from the published shares (data/SOURCES.md,
# "Derived check": CritMAT value vs recomputed).
KNOWN_DIFFERENCES = {
    ("Dy", "E"), ("Gd", "E"), ("Tb", "P"), ("Y", "E"), ("Y", "P"), ("Ce", "E"),
    ("La", "P"), ("Nd", "E"), ("Nd", "P"), ("Sm", "E"), ("Sm", "P"),
}  # fmt: skip

Shares = dict[str, float]


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def scaled_wgi() -> dict[str, float]:
    """2 * (2.5 - mean of the six estimates), averaged over the reference years, by ISO3."""
    per_year: dict[tuple[str, int], list[float]] = defaultdict(list)
    for r in rows(WGI_FILE):
        if r["iso3"] and int(r["year"]) in REFERENCE_YEARS:
            per_year[(r["iso3"], int(r["year"]))].append(float(r["estimate"]))
    by_country: dict[str, list[float]] = defaultdict(list)
    for (iso3, _), values in per_year.items():
        by_country[iso3].append(2 * (2.5 - sum(values) / len(values)))
    return {iso3: sum(v) / len(v) for iso3, v in by_country.items()}


def hhi(shares: Shares, t: Shares, wgi: dict[str, float]) -> float:
    """sum of (share as a fraction)^2 * WGI * t."""
    return sum((s / 100) ** 2 * wgi[c] * t[c] for c, s in shares.items())


def supply_risk(
    global_hhi: float, sourcing_hhi: float | None, ir_pct: float, eol_pct: float, si: float,
    global_only: bool,
) -> float:  # fmt: skip
    """SR = [HHI_GS * IR/2 + HHI_EU * (1 - IR/2)] * (1 - EoL) * SI; global only: HHI_GS alone."""
    ir, eol = ir_pct / 100, eol_pct / 100
    if global_only:
        return global_hhi * (1 - eol) * si
    assert sourcing_hhi is not None
    return (global_hhi * ir / 2 + sourcing_hhi * (1 - ir / 2)) * (1 - eol) * si


def _shares(path: Path) -> dict[tuple[str, str], tuple[Shares, Shares]]:
    out: dict[tuple[str, str], tuple[Shares, Shares]] = defaultdict(lambda: ({}, {}))
    for r in rows(path):
        shares, t = out[(r["material"], r["stage"])]
        shares[r["iso3"]] = float(r["share_pct"] or 0)
        t[r["iso3"]] = float(r["t"])
    return out


def eu_2023_stage_srs() -> dict[tuple[str, str], tuple[float, float | None]]:
    """(symbol, E/P) -> (computed SR, published SR or None), for every assessed stage."""
    wgi = scaled_wgi()
    global_shares, eu_shares = _shares(GLOBAL_FILE), _shares(EU_FILE)
    params: dict[tuple[str, str, str], str] = {}
    for r in rows(PARAMETERS_FILE):
        if r["assessment_year"] == "2023":
            params.setdefault((r["material"], r["stage"], r["parameter"]), r["value"])
    group_of = {r["material"]: r["ree_group"] for r in rows(PARAMETERS_FILE)}
    out = {}
    for symbol, name in ASSESSED.items():
        for stage in ("E", "P"):
            used = params.get((name, stage, "supply_used_in_SR"))
            if used is None:
                continue  # stage not assessed (scandium extraction)
            eu = eu_shares.get((name, stage))
            if eu is None and group_of[name] == "HREE":
                eu = eu_shares.get(("Heavy Rare earths Elements", stage))
            sourcing = hhi(*eu, wgi) if eu else None
            computed = supply_risk(
                hhi(*global_shares[(name, stage)], wgi),
                sourcing,
                float(params[(name, stage, "IR")]),
                float(params[(name, "overall", "EoL_RIR")]),
                float(params[(name, "overall", "SI_SR")]),
                used == "GSonly",
            )
            published = params.get((name, stage, "SR"))
            out[(symbol, stage)] = (computed, float(published) if published else None)
    return out
