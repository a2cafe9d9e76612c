"""The reference domain's public lookups, checked against the bundled reference files."""

import csv
from pathlib import Path

import duckdb
import pycountry
import pytest

from etl.reference.lookups import (
    CountryCodes,
    country_codes,
    country_names,
    iso2_to_iso3,
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
    curated = {r["iso3"]: r["name"] for r in rows("countries.csv")}
    assert {k: names[k] for k in curated} == curated  # curated ids and names kept
    iso = {c.alpha_3 for c in pycountry.countries}
    assert set(names) == iso | set(curated)


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


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Burma", "MMR"),
        ("Korea, Republic of", "KOR"),
        ("South Korea", "KOR"),
        ("Nigeria", "NGA"),
        ("Armenia", "ARM"),
        ("Finland", "FIN"),
        ("Viet Nam", "VNM"),
        ("Other Asia, nes", "TWN"),
        ("Other countries", "OTH"),
        ("Other", "OTH"),
    ],
)
def test_statistics_names_resolve(name: str, iso3: str) -> None:
    names = dict(country_names(REFERENCE).select("name", "iso3").iter_rows())
    assert names[name] == iso3


def test_every_iso_country_has_its_codes_and_other_is_a_residual() -> None:
    codes = CountryCodes.from_reference_csv(REFERENCE)
    for country in pycountry.countries:
        assert country.alpha_3 in codes.iso3
    assert codes.m49["566"] == "NGA" and codes.m49["51"] == "ARM" and codes.m49["246"] == "FIN"
    assert codes.m49["490"] == "TWN"  # Comtrade's "Other Asia, nes"
    assert "OTH" in codes.aggregates and "NGA" not in codes.aggregates
    names = {r["name"]: r["is_aggregate"] for r in country_names(REFERENCE).to_dicts()}
    assert names["Other"] is True and names["Nigeria"] is False


def test_comext_spellings_of_alpha_2() -> None:
    mapping = iso2_to_iso3(REFERENCE)
    assert mapping["EL"] == "GRC" and mapping["GR"] == "GRC"  # Eurostat writes Greece EL
    assert mapping["XS"] == "SRB" and mapping["RS"] == "SRB"
    assert mapping["NG"] == "NGA"
