"""Every bundled USGS edition lands with its own figures; revisions, net import reliance and
oxide prices match the raw files and the tidy cross-check files (figures read in the test)."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from tests.production.data import EDITIONS, NAMES, PRODUCTION, cell, rows, world_figures

NIR_ITEMS = {"Compounds-Metals": "compounds_and_metals", "Concentrate": "mineral_concentrates"}


def test_every_edition_keeps_its_own_china_share(published: duckdb.DuckDBPyConnection) -> None:
    got = {
        (edition, year): (tonnes, share)
        for edition, year, tonnes, share in published.execute(
            "SELECT edition, year, tonnes_reo, share_of_world FROM marts.world_production "
            "WHERE country_iso3 = 'CHN'"
        ).fetchall()
    }
    expected = {}
    for edition in EDITIONS:
        figures = world_figures(edition)
        for (name, year), tonnes in figures.items():
            if name == "China":
                world = figures[("World total (rounded)", year)]
                expected[(edition, year)] = (tonnes, pytest.approx(tonnes / world))
    assert got == expected
    assert len(expected) == 6  # two years in each of three editions


def test_revisions_show_how_a_figure_moved(published: duckdb.DuckDBPyConnection) -> None:
    figures = {e: world_figures(e) for e in EDITIONS}
    got = {
        (country, year, edition): (previous_edition, previous, change)
        for country, year, edition, previous_edition, previous, change in published.execute(
            "SELECT country_iso3, year, edition, previous_edition, previous_tonnes_reo, change_t "
            "FROM marts.production_revisions WHERE previous_edition IS NOT NULL"
        ).fetchall()
    }
    names = {**NAMES, "World total (rounded)": "WLD"}
    expected = {}
    for older, newer in itertools.pairwise(EDITIONS):
        for (name, year), tonnes in figures[newer].items():
            before = figures[older].get((name, year))
            if name in names and before is not None:
                expected[(names[name], year, newer)] = (older, before, tonnes - before)
    assert expected  # e.g. the United States 2021: 43,000 t in MCS2022, 42,000 t in MCS2023
    assert expected[("USA", 2021, "2023")] == ("2022", 43000.0, -1000.0)
    for key, value in expected.items():
        assert got[key] == value


def test_net_import_reliance_keeps_bounds_and_net_exporters(
    published: duckdb.DuckDBPyConnection,
) -> None:
    got = {
        (edition, year, item): (pct, flag, exporter)
        for edition, year, item, pct, flag, exporter in published.execute(
            "SELECT edition, year, item, nir_pct, qualifier, is_net_exporter "
            "FROM marts.net_import_reliance WHERE country_iso3 = 'USA'"
        ).fetchall()
    }
    expected = {}
    for edition in EDITIONS:
        for row in rows(PRODUCTION / f"mcs{edition}-raree_salient.csv"):
            for name, text in row.items():
                if name.startswith("NIR_"):
                    item = NIR_ITEMS[name.split("_")[1]]
                    value, flag = cell(text)
                    expected[(edition, int(row["Year"]), item)] = (value, flag, flag == "E")
    assert got == expected
    assert got[("2024", 2023, "compounds_and_metals")] == (95.0, ">", False)
    assert got[("2024", 2023, "mineral_concentrates")] == (None, "E", True)


def test_oxide_prices_by_year(published: duckdb.DuckDBPyConnection) -> None:
    got = {
        (edition, year, product): (price, element)
        for edition, year, product, price, element in published.execute(
            "SELECT edition, year, product, usd_per_kg, element_symbol FROM marts.oxide_prices"
        ).fetchall()
    }
    raw = rows(PRODUCTION / "mcs2024-raree_salient.csv")
    nd_2023 = next(float(r["Price_Nd2O3_dkg"]) for r in raw if r["Year"] == "2023")
    assert got[("2024", 2023, "Nd2O3")] == (nd_2023, "Nd")
    assert got[("2024", 2023, "Mischmetal")][1] is None
    assert len(got) == 7 * 15  # seven price columns, five years, three editions


def test_world_table_matches_the_tidy_cross_check(published: duckdb.DuckDBPyConnection) -> None:
    tidy = [
        r
        for r in rows(PRODUCTION / "usgs_mcs_rare_earths_world_production_reserves.csv")
        if r["edition"] in {f"MCS{e}" for e in EDITIONS}
    ]
    production = {
        (f"MCS{e}", iso3, year): value
        for e, iso3, year, value in published.execute(
            "SELECT edition, country_iso3, year, tonnes_reo FROM core.production UNION ALL "
            "SELECT edition, 'WLD', year, tonnes_reo FROM core.production_world"
        ).fetchall()
    }
    reserves = {
        (f"MCS{e}", iso3): (value, flag)
        for e, iso3, value, flag in published.execute(
            "SELECT DISTINCT edition, country_iso3, reserves_t, reserves_qualifier "
            "FROM core.production UNION ALL SELECT DISTINCT edition, 'WLD', reserves_t, "
            "reserves_qualifier FROM core.production_world"
        ).fetchall()
    }
    compared = 0
    for r in tidy:
        value = float(r["value_t_reo"]) if r["value_t_reo"] else None
        if r["metric"] == "mine_production":
            assert production[(r["edition"], r["iso3"], int(r["data_year"]))] == value, r
        else:
            assert reserves[(r["edition"], r["iso3"])] == (value, r["value_qualifier"] or None), r
        compared += 1
    assert compared == len(tidy) > 100


def test_salient_statistics_match_the_tidy_cross_check(
    published: duckdb.DuckDBPyConnection,
) -> None:
    tidy = [
        r
        for r in rows(PRODUCTION / "usgs_mcs_us_salient_statistics.csv")
        if r["edition"] in {f"MCS{e}" for e in EDITIONS} and r["commodity"] == "Rare Earths"
    ]
    loaded = {
        (f"MCS{e}", year, item): (value, flag, unit)
        for e, year, item, value, flag, unit in published.execute(
            "SELECT edition, year, item, value, qualifier, unit FROM core.us_salient"
        ).fetchall()
    }
    for r in tidy:
        value = float(r["value"]) if r["value"] else None
        got = loaded[(r["edition"], int(r["data_year"]), r["item"])]
        assert got == (value, r["value_qualifier"] or None, r["unit"]), r
    assert len(loaded) == len(tidy) == 3 * 5 * 19


def test_net_import_reliance_matches_the_figure_notes(
    published: duckdb.DuckDBPyConnection,
) -> None:
    """MCS2023 and MCS2024 Figure 2 give the latest year's reliance (>95 %) as the salient row."""
    tidy = [
        r
        for r in rows(PRODUCTION / "usgs_mcs_import_reliance_and_sources.csv")
        if r["commodity"].upper().startswith("RARE EARTHS, COMPOUNDS")
        and r["metric"] == "net_import_reliance"
    ]
    assert len(tidy) == 2
    for r in tidy:
        got = published.execute(
            "SELECT nir_pct, qualifier FROM marts.net_import_reliance WHERE edition = ? "
            "AND year = ? AND item = 'compounds_and_metals'",
            [r["edition"].removeprefix("MCS"), int(r["period"])],
        ).fetchall()
        assert got == [(float(r["value"]), r["value_qualifier"])]
