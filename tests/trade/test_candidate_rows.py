"""The line-level candidate scan keeps the same rows, cells and line numbers as a full CSV scan."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from etl.trade.readers import _any_of, _code_candidates, _hs6, _scan, candidate_rows

CODES = ("280530", "050100")
HEADER = "t,i,j,k,v,q"


def _full_scan(path: Path) -> pl.DataFrame:
    """The reference: every row parsed as CSV, then the exact code test."""
    frame = _scan(path, ["k"]).filter(_code_candidates("k", CODES)).collect()
    return frame.with_columns(pl.col("source_row").cast(pl.Int64)).filter(_hs6("k").is_in(CODES))


def _lines_scan(path: Path) -> pl.DataFrame:
    return candidate_rows(path, ["k"], "k", CODES).filter(_hs6("k").is_in(CODES))


ROWS = [
    "2023,156,842,280530,1.5,2",
    '2023,156,842,"280530",1.5,2',  # quoted code
    '2023,"156,1",842,280530,1.5,2',  # quoted comma in another cell
    "2023,156,842,50100,1.5,2",  # leading zero dropped
    "2023,156,842, 280530 ,1.5,2",  # padded
    "2023,156,842,999999,280530,2",  # the code's digits in another cell only
    "2023,156,842,280531,1.5,2",  # near miss
    "2023,156,842,280530,1.5,2,extra",  # ragged (long)
    "2023,156,842,280530",  # ragged (short)
    "2023,15\x1f6,842,280530,1.5,2",  # a 0x1F byte before the code
    "2023,156,842,280530,1.5\x1f,2",  # and after it
    "2023,156,842,280530,1.5,2\r",  # CRLF line
]


@pytest.mark.parametrize("bom", [False, True])
def test_same_rows_as_a_full_scan(tmp_path: Path, bom: bool) -> None:
    path = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    body = "\n".join([HEADER, *ROWS]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode())
    expected, got = _full_scan(path), _lines_scan(path)
    assert got.height == 10  # every row whose own code cell is wanted, ragged ones included
    assert got["source_row"].to_list() == expected["source_row"].to_list()
    columns = ["t", "i", "j", "k", "v", "q", "source_row"]
    assert got.select(columns).to_dicts() == expected.select(columns).to_dicts()
    assert set(got["source_file"]) == {str(path)}


def test_a_quoted_field_across_lines_falls_back_to_the_full_scan(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    rows = ['2023,"156\n1",842,280530,1.5,2', "2023,156,842,280530,1.5,2"]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    expected, got = _full_scan(path), _lines_scan(path)
    assert got.height == expected.height == 2
    assert got["source_row"].to_list() == expected["source_row"].to_list()
    assert got["i"].to_list() == ["156\n1", "156"]


def test_no_candidate_gives_an_empty_frame_with_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    path.write_text(HEADER + "\n2023,156,842,999999,1.5,2\n")
    got = candidate_rows(path, ["k"], "k", CODES)
    assert got.height == 0
    assert {"t", "k", "source_row", "source_file"} <= set(got.columns)


def test_code_pattern_matches_the_literals_only() -> None:
    """The line filter's regex is the codes as literals: any one of them, nothing else."""
    lines = pl.Series(["a,280530,b", "x,50100", "2805301", "28053", "28.05|30", "280.30"])
    pattern = _any_of(["280530", "50100", "28.05|30"])
    assert lines.str.contains(pattern).to_list() == [True, True, True, False, True, False]
