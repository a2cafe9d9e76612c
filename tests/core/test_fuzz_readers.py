"""Property-based tests: every contract reader fed malformed files.

Files mix valid rows (unique keys, first) with broken ones (wrong types, negative and absurd
numbers, unknown codes, NUL bytes, Chinese text, quotes, ragged lengths, duplicate keys), in
UTF-8, UTF-8 with BOM or GBK, with LF or CRLF, sometimes truncated mid-line. Header-level damage
(missing columns, empty files, BOM only, binary junk) must give a `ContractError` naming the file.
Never any other exception; rejected rows name file, row and reason (and the field for value
errors); valid rows still land. The number of cases tried is printed at the end of the module.
"""

from __future__ import annotations

import csv
import importlib
import io
import math
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.core.contracts import (
    CONTROL_CHARACTERS,
    DATE_RANGE,
    MAX_NUMBER,
    NULL_WORDS,
    Contract,
    ContractError,
    Field,
    read_contract,
)
from etl.production.models import usgs_world_contract, year_columns

MODEL_MODULES = ("etl.reference.models", "etl.capacity.models", "etl.trade.models")
USGS_HEADER = (
    "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes"
)
ROW_LEVEL_REASONS = ("truncated row", "row has", "not UTF-8", "contains a NUL", "unreadable CSV")
CASES: Counter[str] = Counter()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def contracts() -> dict[str, Contract]:
    """Every `Contract` declared in the domains' models modules, plus the USGS edition contract."""
    found: dict[str, Contract] = {}
    for name in MODEL_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, Contract):
                found[value.name] = value
    return found


CONTRACTS = contracts()


@pytest.fixture(scope="module", autouse=True)
def report_cases(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    total = sum(CASES.values())
    line = f"fuzzed reader cases tried: {total} ({dict(sorted(CASES.items()))})"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    Path(tempfile.gettempdir(), "reekg-fuzz-cases.txt").write_text(line + "\n", encoding="utf-8")


SAFE = st.characters(codec="ascii", categories=["L", "N"])
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)
JUNK = st.one_of(
    st.sampled_from(
        [
            "-1",
            "-0.5",
            "1e308",
            "1e400",
            "-1e30",
            "9" * 40,
            "inf",
            "-inf",
            "NaN",
            "nan",
            "12,5",
            "1.2.3",
            "abc",
            "",
            " ",
            "NA",
            "null",
            "-",
            "稀土",
            "１２３",
            "12万吨",
            "3 t",
            "２０２３",
            "2023-02-30",
            "30/01/2023",
            "true?",
            "yes",
            "0x10",
            '"',
            'a"b',
            "a,b",
            "line\nbreak",
            "\x00",
            "\ufeff",
            "\u00a0",
            "ZZZ",
            "XX-99",
            "unknown-code",
            "Q",
            "CN-??",
        ]
    ),
    st.text(max_size=12),
)


def valid_value(field: Field) -> st.SearchStrategy[str]:
    """A value the contract accepts for `field`."""
    if field.choices:
        return st.sampled_from(field.choices)
    if field.kind == "int":
        lowest = int(field.minimum) if field.minimum is not None else -1000
        return st.integers(lowest, lowest + 10_000).map(str)
    if field.kind == "float":
        low = field.minimum if field.minimum is not None else -1e6
        return st.floats(low, low + 1e7, allow_nan=False).map(lambda x: f"{x:.3f}")
    if field.kind == "date":
        return st.dates(*DATE_RANGE).map(lambda d: d.isoformat())
    if field.kind == "bool":
        return st.sampled_from(["true", "false"])
    text = (
        st.from_regex(field.pattern, fullmatch=True, alphabet=PRINTABLE)
        if field.pattern
        else st.text(SAFE, min_size=1, max_size=10)
    )
    return text.filter(lambda s: s == s.strip() and s not in NULL_WORDS and s != "")


def valid_rows(contract: Contract) -> st.SearchStrategy[list[dict[str, str]]]:
    row = st.fixed_dictionaries({f.name: valid_value(f) for f in contract.fields})
    key = contract.key or tuple(contract.columns)
    return st.lists(row, max_size=4, unique_by=lambda r: tuple(r[k] for k in key))


@st.composite
def row_level_files(draw: st.DrawFn, contract: Contract) -> tuple[bytes, int, list[str]]:
    """(file bytes, number of valid rows at the top, header) with an intact header."""
    header = list(contract.columns)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    extra = draw(
        st.lists(st.sampled_from(["extra", "Unnamed: 0", "notes 2"]), max_size=2, unique=True)
    )
    header += extra
    good = draw(valid_rows(contract))
    rows: list[list[str]] = [[r.get(c, "x") for c in header] for r in good]
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["junk", "one-field", "short", "long", "duplicate"]))
        if kind == "duplicate" and good:
            rows.append([draw(st.sampled_from(good)).get(c, "x") for c in header])
        elif kind == "one-field":
            base = dict(draw(valid_rows(contract).filter(bool))[0])
            base[draw(st.sampled_from(contract.columns))] = draw(JUNK)
            rows.append([base.get(c, "x") for c in header])
        elif kind == "short":
            rows.append(draw(st.lists(JUNK, max_size=max(len(header) - 1, 0))))
        elif kind == "long":
            rows.append(draw(st.lists(JUNK, min_size=len(header) + 1, max_size=len(header) + 3)))
        else:
            base = dict(draw(valid_rows(contract).filter(bool))[0]) if draw(st.booleans()) else {}
            for column in draw(st.lists(st.sampled_from(header), min_size=1, max_size=3)):
                base[column] = draw(JUNK)
            rows.append([base.get(c, draw(JUNK)) for c in header])
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    top, bottom = io.StringIO(), io.StringIO()
    csv.writer(top, lineterminator=eol).writerows([header, *rows[: len(good)]])
    csv.writer(bottom, lineterminator=eol).writerows(rows[len(good) :])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
    tail = bottom.getvalue().encode(encoding.removesuffix("-sig"), errors="replace")
    # Truncation cuts into the broken rows only, never into the header or the valid rows.
    tail = tail[: len(tail) - draw(st.integers(0, min(12, len(tail))))]
    data = top.getvalue().encode(encoding, errors="replace") + tail
    return data, len(good), header


@st.composite
def header_level_files(draw: st.DrawFn, contract: Contract) -> bytes:
    """Files no row of which can be read: empty, BOM only, junk, a required column missing."""
    kind = draw(st.sampled_from(["empty", "bom", "blank", "binary", "missing", "gbk-header"]))
    if kind == "empty":
        return b""
    if kind == "bom":
        return b"\xef\xbb\xbf"
    if kind == "blank":
        return draw(st.sampled_from([b"\n", b"\r\n\r\n", b"   \n\t\n"]))
    if kind == "binary":
        return b"\xff\xfe\x00" + draw(st.binary(max_size=40))
    if kind == "gbk-header":
        return ("稀土," + ",".join(contract.columns) + "\n").encode("gbk")
    header = list(contract.columns)
    # a missing optional column is fine (read as null); a missing required one is not
    header.remove(draw(st.sampled_from([f.name for f in contract.fields if f.required])))
    rows = [header, *draw(st.lists(st.lists(JUNK, max_size=len(header)), max_size=3))]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", errors="replace")


def check_result(path: Path, contract: Contract, label: str, n_valid: int) -> None:
    """The reader's invariants on one file with an intact header."""
    result = read_contract(path, contract, label=label)
    good, rejected, raw = result.good, result.rejected, result.raw
    # Every rejection names the file, the row and the reason; the field when a value is wrong.
    assert rejected["source_file"].to_list() == [label] * rejected.height
    assert rejected["source_row"].null_count() == 0 and (rejected["source_row"] >= 2).all()
    for field_name, reason in rejected.select("field", "reason").iter_rows():
        assert reason, rejected
        if field_name is None:
            assert reason.startswith(ROW_LEVEL_REASONS), reason
        else:
            assert field_name in contract.columns, field_name
    # Every raw row is either good or rejected, never both.
    good_rows = set(good["source_row"].to_list())
    assert not good_rows & set(rejected["source_row"].to_list())
    assert set(raw["source_row"].to_list()) <= good_rows | set(rejected["source_row"].to_list())
    # The valid rows at the top of the file land, with their physical line numbers.
    assert set(range(2, 2 + n_valid)) <= good_rows, (rejected.head(5), n_valid)
    # What landed satisfies the contract.
    for f in contract.fields:
        column = good[f.name]
        if f.required:
            assert column.null_count() == 0, f.name
        if f.choices:
            assert column.drop_nulls().is_in(list(f.choices)).all(), f.name
        if f.kind in ("int", "float"):
            values = column.drop_nulls().cast(pl.Float64).to_list()
            assert all(math.isfinite(v) for v in values), (f.name, values)
            if f.minimum is not None:
                assert all(v >= f.minimum for v in values), (f.name, values)
            assert all(abs(v) <= MAX_NUMBER for v in values), (f.name, values)
        if f.kind == "date":
            assert all(DATE_RANGE[0] <= d <= DATE_RANGE[1] for d in column.drop_nulls()), f.name
        if f.kind == "str":
            assert not column.drop_nulls().str.contains(CONTROL_CHARACTERS).any(), f.name
    if contract.key:
        assert good.select(contract.key).is_unique().all()


@pytest.mark.parametrize("name", sorted(CONTRACTS))
@FUZZ
@given(data=st.data())
def test_contract_reader_survives_malformed_rows(name: str, data: st.DataObject) -> None:
    contract = CONTRACTS[name]
    content, n_valid, _ = data.draw(row_level_files(contract))
    CASES[name] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_bytes(content)
        check_result(path, contract, f"fuzz/{name}.csv", n_valid)


@pytest.mark.parametrize("name", sorted(CONTRACTS))
@FUZZ
@given(data=st.data())
def test_contract_reader_names_the_file_when_unreadable(name: str, data: st.DataObject) -> None:
    contract = CONTRACTS[name]
    content = data.draw(header_level_files(contract))
    CASES[f"{name}:header"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_bytes(content)
        with pytest.raises(ContractError) as caught:
            read_contract(path, contract)
        assert str(path) in str(caught.value)


NUMERIC = sorted(
    (name, f.name) for name, c in CONTRACTS.items() for f in c.fields if f.kind in ("int", "float")
)


@pytest.mark.parametrize(("name", "field_name"), NUMERIC)
@settings(max_examples=8, deadline=None, database=None)
@given(data=st.data(), value=st.sampled_from(["inf", "-inf", "NaN", "1e400", "-1e999"]))
def test_non_finite_numbers_are_rejected(
    name: str, field_name: str, data: st.DataObject, value: str
) -> None:
    contract = CONTRACTS[name]
    row = data.draw(st.fixed_dictionaries({f.name: valid_value(f) for f in contract.fields}))
    row[field_name] = value
    CASES[f"{name}:non-finite"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, contract.columns)
            writer.writeheader()
            writer.writerow(row)
        result = read_contract(path, contract)
    assert result.good.height == 0
    reasons = result.rejected.filter(pl.col("field") == field_name)["reason"].to_list()
    assert reasons and reasons[0].startswith("not a"), result.rejected


USGS_LINES = st.lists(
    st.lists(JUNK, min_size=6, max_size=10).map(
        lambda v: ",".join(x.replace("\n", " ") for x in v)
    ),
    max_size=6,
)


@FUZZ
@given(
    header=st.one_of(st.just(USGS_HEADER), st.text(max_size=60)),
    lines=USGS_LINES,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
    eol=st.sampled_from(["\n", "\r\n"]),
    cut=st.integers(0, 10),
)
def test_usgs_reader_survives_malformed_editions(
    header: str, lines: list[str], encoding: str, eol: str, cut: int
) -> None:
    """The USGS path: year columns found in the header, then the edition's contract."""
    CASES["usgs_world"] += 1
    text = eol.join([header, "MCS2024,China,Mine production,200000,240000,,44000000,", *lines])
    data = text.encode(encoding, errors="replace")
    data = data[: len(data) - cut] if lines else data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mcs2024-raree_world.csv"
        path.write_bytes(data)
        try:
            contract = usgs_world_contract(year_columns(path))
        except ContractError as exc:
            assert str(path) in str(exc)
            return
        if header != USGS_HEADER:
            try:
                read_contract(path, contract)
            except ContractError as exc:
                assert str(path) in str(exc)
            return
        check_result(path, contract, "fuzz/usgs.csv", 1)


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_missing_optional_column_reads_as_null_and_extra_column_is_ignored(name: str) -> None:
    contract = CONTRACTS[name]
    optional = [f.name for f in contract.fields if not f.required]
    header = [c for c in contract.columns if c not in optional[:1]] + ["unexpected_extra"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_text(",".join(header) + "\n", encoding="utf-8")
        result = read_contract(path, contract)
    assert result.extra_columns == ("unexpected_extra",)
    assert list(result.raw.columns) == [*contract.columns, "source_file", "source_row"]
