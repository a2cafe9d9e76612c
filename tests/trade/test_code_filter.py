"""The readers' in-scan HS code test keeps every row whose trimmed, zero-filled code is wanted."""

from __future__ import annotations

import itertools

import polars as pl

from etl.reference.lookups import CountryCodes
from etl.settings import BUNDLED_DATA
from etl.trade.baci import read_baci, read_baci_countries
from etl.trade.readers import read_comtrade
from etl.trade.synthetic import country_pool
from tests.trade.conftest import comtrade_row, write_baci, write_comtrade

CODES = ("050100", "280530")  # one code with a leading zero, one without
CELLS = [
    "".join(parts)
    for parts in itertools.product(
        ("", " ", "\t", "  ", "\u00a0", "\u3000"),
        ("050100", "50100", "5010", "280530", "0280530", "28053", "280531", "010121"),
        ("", " ", "\t"),
    )
]


def _wanted(cells: list[str]) -> list[int]:
    """Physical lines (header on line 1) whose cell trims and zero-fills to a wanted code."""
    return [n + 2 for n, cell in enumerate(cells) if cell.strip().zfill(6) in CODES]


def test_baci_keeps_exactly_the_codes_that_trim_and_zero_fill_to_a_wanted_one(tmp_path):
    lines = [f'2023,156,842,"{cell}",1.5,2' for cell in CELLS]
    path = write_baci(tmp_path, "BACI_HS22_Y2023_V202501.csv", lines)
    countries = read_baci_countries(tmp_path / "country_codes_V202501.csv")
    result = read_baci(path, countries, hs_codes=CODES)
    assert result.rejected.height == 0
    assert result.flows["source_row"].to_list() == _wanted(CELLS)
    assert set(result.flows["hs_code"].to_list()) == set(CODES)
    assert len(_wanted(CELLS)) == 6 * 3 * 3  # 050100, 50100, 280530 in every padding


def test_comtrade_keeps_exactly_the_codes_that_trim_and_zero_fill_to_a_wanted_one(tmp_path):
    # Distinct (reporter, partner) pairs keep the keys distinct: no row duplicates another.
    pool = [c.code for c in country_pool()]
    pairs = [(pool[n % len(pool)], pool[n // len(pool)]) for n in range(len(CELLS))]
    lines = [
        comtrade_row(cmdCode=cell, reporterCode=r, partnerCode=p)
        for cell, (r, p) in zip(CELLS, pairs, strict=True)
    ]
    path = write_comtrade(tmp_path, "comtrade_A_2023.csv", lines)
    codes = CountryCodes.from_reference_csv(BUNDLED_DATA / "reference")
    result = read_comtrade([path], codes, 2023, hs_codes=CODES)
    assert result.rejected.height == 0
    assert result.flows["source_row"].to_list() == _wanted(CELLS)
    assert result.flows.filter(pl.col("hs_code").is_in(CODES)).height == len(_wanted(CELLS))
