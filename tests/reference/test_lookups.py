"""The reference domain's public lookups, checked against the bundled reference files."""

import csv
from pathlib import Path

import duckdb

from etl.reference.lookups import (
    CountryCodes,
    country_codes,
    country_names,
    register_lookup_tables,
    source_urls,
)
from etl.settings import BUNDLED_DATA

REFERENCE = BUNDLED_DATA / "reference"


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_codes_from_the_files_follow_countries_then_comtrade_aliases() -> None:
    codes = CountryCodes.from_reference_csv(REFERENCE)
    comtrade = {
        r["alias"]: r["iso3"] for r in rows("country_aliases.csv") if r["system"] == "comtrade"
    }
    for country in rows("countries.csv"):
        if country["m49"] and str(int(country["m49"])) not in comtrade:
            assert codes.m49[str(int(country["m49"]))] == country["iso3"]
    for code, iso3 in comtrade.items():
        assert codes.m49[str(int(code)) if code.isdigit() else code] == iso3
    assert codes.m49["490"] == "TWN"  # Comtrade's "Other Asia, nes"
    aggregates = {r["iso3"] for r in rows("countries.csv") if r["is_aggregate"] == "true"}
    assert codes.aggregates == aggregates and "OTH" in aggregates


def test_an_empty_warehouse_falls_back_to_the_files(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert country_codes(con, REFERENCE) == CountryCodes.from_reference_csv(REFERENCE)
        register_lookup_tables(con, REFERENCE)
        kinds = dict(con.execute("SELECT source_id, kind FROM trade_source_kinds").fetchall())
        names = dict(con.execute("SELECT iso3, name FROM trade_countries").fetchall())
    assert kinds == {r["source_id"]: r["kind"] for r in rows("sources.csv")}
    assert names == {r["iso3"]: r["name"] for r in rows("countries.csv")}


def test_names_resolve_countries_and_statistics_spellings() -> None:
    names = {r["name"]: (r["iso3"], r["is_aggregate"]) for r in country_names(REFERENCE).to_dicts()}
    for alias in rows("country_aliases.csv"):
        if alias["system"] == "name":
            assert names[alias["alias"]][0] == alias["iso3"], alias
    assert names["Burma"] == ("MMR", False)
    assert names["Other countries"] == ("OTH", True)  # a residual, not a country


def test_source_urls_give_one_source_per_url() -> None:
    urls = source_urls(REFERENCE)
    assert urls["url"].is_unique().all() and urls["url"].null_count() == 0
    registered = {r["source_id"] for r in rows("sources.csv")}
    assert set(urls["source_id"]) <= registered
