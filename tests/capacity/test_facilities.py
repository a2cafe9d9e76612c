"""Facility capacities by stage: never adding different units or bases, checked against figures
computed here from the bundled files."""

from __future__ import annotations

import csv
from collections import defaultdict

import duckdb

from etl.settings import BUNDLED_DATA

FIGURES = BUNDLED_DATA / "facilities/facilities_capacity.csv"
CLASSES = BUNDLED_DATA / "facilities/facilities_capacity_classes.csv"


def classified() -> list[dict[str, str]]:
    with open(FIGURES, encoding="utf-8", newline="") as handle:
        figures = {n: r for n, r in enumerate(csv.DictReader(handle), start=2)}
    with open(CLASSES, encoding="utf-8", newline="") as handle:
        return [figures[int(c["figure_row"])] | c for c in csv.DictReader(handle)]


def test_every_published_figure_lands_with_its_class(published: duckdb.DuckDBPyConnection) -> None:
    rows = classified()
    assert len(rows) == 27
    [(landed,)] = published.execute("SELECT count(*) FROM core.facilities").fetchall()
    assert landed == len(rows)
    [(value, unit, basis, stage)] = published.execute(
        "SELECT capacity_value, capacity_unit, basis, stage FROM core.facilities "
        "WHERE facility_id = 'lynas-malaysia' AND source_row = 2"
    ).fetchall()
    assert (value, unit, basis, stage) == (10500, "t NdPr oxide", "target", "separation")


def test_capacity_by_stage_adds_only_like_units(published: duckdb.DuckDBPyConnection) -> None:
    latest: dict[tuple[str, str, str, str], tuple[int, float, str]] = {}
    for r in classified():
        key = (r["facility_id"], r["stage"], r["capacity_unit"], r["basis"])
        cand = (int(r["figure_year"]), float(r["capacity_value"]), r["country_iso3"])
        if key not in latest or cand[:2] > latest[key][:2]:
            latest[key] = cand
    expected: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for (_, stage, unit, basis), (_, value, country) in latest.items():
        expected[(country, stage, unit, basis)] += value
    got = {
        (c, s, u, b): v
        for c, s, u, b, v in published.execute(
            "SELECT country_iso3, stage, capacity_unit, basis, capacity "
            "FROM marts.capacity_by_stage"
        ).fetchall()
    }
    assert got == expected
    # US magnet plants built or designed: Independence 1,000 + Noveon 2,000 t/yr
    assert got[("USA", "magnet", "t magnets", "nameplate")] == 1000 + 2000
    # Mountain Pass: the 2024 actual (45,455 t REO) counts once, never beside the 60K target
    assert got[("USA", "mining", "t REO", "actual")] == 45455
    assert got[("USA", "mining", "t REO", "target")] == 60000
