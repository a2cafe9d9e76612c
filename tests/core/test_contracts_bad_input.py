"""Bad input the contract reader must name: each case a quarantine reason or a file-level error,
and every data row of the file accounted for (rows in = landed + quarantined)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from etl.core.contracts import Contract, ContractError, Field, read_contract
from etl.core.loading import account_files, reject_outside_partitions

CONTRACT = Contract(
    "sample",
    (
        Field("name"),
        Field("tonnes", "float", minimum=0),
        Field("count", "int", required=False),
        Field("on", "date", required=False),
    ),
    key=("name",),
)
HEADER = ["name", "tonnes", "count", "on"]


def write(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path = tmp_path / "sample.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (["a", "NaN", "", ""], "tonnes", "not a number"),
        (["a", "inf", "", ""], "tonnes", "not a number"),
        (["a", "1e400", "", ""], "tonnes", "not a number"),
        (["a", "1e308", "", ""], "tonnes", "out of range (above 1e+15)"),
        (["a", "1", "1e20", ""], "count", "out of range (above 1e+15)"),
        (["a", "1", "", "0001-01-01"], "on", "date out of range (1900-01-01..2100-12-31)"),
        (["a", "1", "", "9999-12-31"], "on", "date out of range (1900-01-01..2100-12-31)"),
        (["a\x07b", "1", "", ""], "name", "control character in text"),
        (["a\x1bb", "1", "", ""], "name", "control character in text"),
        (["line\nbreak", "1", "", ""], "name", "control character in text"),
    ],
)
def test_a_bad_value_is_a_quarantine_reason(
    tmp_path: Path, row: list[str], field: str, reason: str
) -> None:
    path = write(tmp_path, [["good", "12", "3", "2024-05-01"], row])
    result = read_contract(path, CONTRACT, label="sample.csv")
    assert result.good["name"].to_list() == ["good"]
    found = result.rejected.filter(pl.col("field") == field)
    assert found["reason"].to_list() == [reason]
    assert found["source_row"].to_list() == [3]
    assert result.rows_in == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["b", "1", "2", "2024-01-01", "surplus"], "row has 5 fields, header has 4"),
        (["b", "1"], "truncated row: 2 of 4 fields"),
    ],
)
def test_a_ragged_row_is_quarantined_never_cut_or_padded(
    tmp_path: Path, row: list[str], reason: str
) -> None:
    path = write(tmp_path, [["good", "12", "3", "2024-05-01"], row, ["c", "5", "", ""]])
    result = read_contract(path, CONTRACT, label="sample.csv")
    assert result.good["name"].to_list() == ["good", "c"]
    assert result.rejected.select("source_row", "reason").rows() == [(3, reason)]
    accounts = account_files(["sample.csv"], [result], result.good, result.rejected)
    assert accounts.select("rows_in", "rows_landed", "rows_quarantined").rows() == [(3, 2, 1)]


def test_a_duplicate_header_column_is_one_error_naming_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, [["a", "1", "2", "", "3"]], header=[*HEADER, "tonnes"])
    with pytest.raises(ContractError) as caught:
        read_contract(path, CONTRACT)
    assert str(caught.value) == (
        f"{path}: row 1 (header): duplicate column(s) tonnes "
        "(which copy holds the data is ambiguous)"
    )


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-16", "UTF-16 LE"), ("utf-16-be", None), ("utf-32", "UTF-32 LE")]
)
def test_a_utf16_file_is_one_error_naming_the_encoding(
    tmp_path: Path, encoding: str, name: str | None
) -> None:
    text = "name,tonnes,count,on\na,1,2,2024-01-01\n"
    data = text.encode(encoding)
    if name is None:  # big-endian without a BOM written by Python: add the BOM Excel writes
        data, name = b"\xfe\xff" + data, "UTF-16 BE"
    path = tmp_path / "sample.csv"
    path.write_bytes(data)
    with pytest.raises(ContractError) as caught:
        read_contract(path, CONTRACT)
    assert str(caught.value).startswith(f"{path}: row 1 (header): file is {name}")
    assert "re-save it as UTF-8" in str(caught.value)


def test_rows_in_counts_every_data_row_once(tmp_path: Path) -> None:
    rows = [
        ["a", "1", "", ""],
        ["b", "-1", "", ""],  # below minimum
        ["c", "x", "y", "z"],  # three bad fields, one row
        ["a", "2", "", ""],  # duplicate key
        ["", "", "", ""],  # blank: not a data row
        ["d", "1", "", "", "extra"],  # ragged
    ]
    path = write(tmp_path, rows)
    result = read_contract(path, CONTRACT, label="sample.csv")
    assert result.rows_in == 5 and result.skipped_blank_rows == 1
    accounts = account_files(["sample.csv"], [result], result.good, result.rejected)
    assert accounts.select("rows_in", "rows_landed", "rows_quarantined").rows() == [(5, 1, 4)]


def test_years_outside_the_partitions_are_quarantined_with_reason() -> None:
    frame = pl.DataFrame(
        {"year": [2010, 2015, 2023, 2031], "source_file": ["f"] * 4, "source_row": [2, 3, 4, 5]}
    )
    kept, rejected = reject_outside_partitions(frame, [str(y) for y in range(2015, 2028)])
    assert kept["year"].to_list() == [2015, 2023]
    assert rejected.select("source_row", "field", "value", "reason").rows() == [
        (2, "year", "2010", "year outside the partitions (2015-2027)"),
        (5, "year", "2031", "year outside the partitions (2015-2027)"),
    ]
