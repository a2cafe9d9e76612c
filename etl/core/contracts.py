"""CSV contracts: one typed description per input format, one reader that enforces it.

A contract says which columns a file must have and what a valid value is. The reader never
raises on a bad row: it keeps the row in `rejected` with file, row, field, value and reason, and
lets the good rows through. Only a file that cannot be read at all (missing, empty, no usable
header, a required column absent) raises `ContractError`, whose message names the file.

Row numbers are physical line numbers (the header is line 1), so `sed -n Np file` shows the row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl

Kind = Literal["str", "int", "float", "date", "bool"]

TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")
NULL_WORDS = ("", "NA", "N/A", "n/a", "null", "NULL", "-", "--")
# Units people write after tonnages in Chinese and English reports: 万吨 is 10,000 t.
UNIT_SUFFIX = r"(万吨|万t|万|吨|tonnes|tons|t)$"
# Bounds every number and date of every contract is held to (a field may set tighter ones):
# beyond them a value is a typo or a unit slip, and downstream code (the graph's integer
# literals, date arithmetic) cannot represent it.
MAX_NUMBER = 1e15
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
# C0 and C1 control characters (tab and line breaks included): never part of a name or code.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f]"
# Byte-order marks of encodings a CSV reader must not guess at (UTF-8's own is accepted).
FOREIGN_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
)
REJECT_SCHEMA = {
    "source_file": pl.String,
    "source_row": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


class ContractError(Exception):
    """A file that cannot be read at all under its contract; the message names the file."""


@dataclass(frozen=True)
class Field:
    """One column of a contract and what a valid value of it is."""

    name: str
    kind: Kind = "str"
    required: bool = True
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    description: str = ""
    # Words read as "no value"; None means NULL_WORDS. A reader that keeps "NA" as data
    # (USGS qualifiers) passes ("",).
    null_words: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Contract:
    """A file format: its fields, and the columns that must be unique together."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    description: str = ""

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        """The typed columns that valid rows come out with."""
        types: dict[Kind, pl.DataType] = {
            "str": pl.String(),
            "int": pl.Int64(),
            "float": pl.Float64(),
            "date": pl.Date(),
            "bool": pl.Boolean(),
        }
        return {f.name: types[f.kind] for f in self.fields}


@dataclass(frozen=True)
class ContractResult:
    """What a read produced: typed good rows, rejected rows with reasons, and the raw strings."""

    good: pl.DataFrame
    rejected: pl.DataFrame
    raw: pl.DataFrame
    skipped_blank_rows: int = 0
    extra_columns: tuple[str, ...] = field(default=())
    # Data rows of the file (blank lines excepted), whether they parsed or not: every one of
    # them is in `raw` or has a row-level rejection, so rows in = landed + quarantined.
    rows_in: int = 0


def empty_rejections() -> pl.DataFrame:
    """A rejected-rows frame with no rows."""
    return pl.DataFrame(schema=REJECT_SCHEMA)


def reject_where(
    frame: pl.DataFrame, mask: pl.Expr, field_name: str, reason: pl.Expr | str
) -> pl.DataFrame:
    """Rejection rows for the rows of `frame` where `mask` holds (value from `field_name`)."""
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    value = (
        pl.col(field_name).cast(pl.String)
        if field_name in frame.columns
        else pl.lit(None, pl.String)
    )
    return frame.filter(mask).select(
        pl.col("source_file"),
        pl.col("source_row").cast(pl.Int64),
        pl.lit(field_name).alias("field"),
        value.alias("value"),
        reason_expr.cast(pl.String).alias("reason"),
    )


def drop_rejected(frame: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Rows of `frame` that have no rejection."""
    return frame.join(rejected.select("source_row").unique(), on="source_row", how="anti")


def foreign_encoding(data: bytes) -> str | None:
    """'file is UTF-16 LE (byte-order mark ff fe); re-save it as UTF-8' when `data` starts
    with the byte-order mark of an encoding other than UTF-8, else None."""
    for bom, name in FOREIGN_BOMS:
        if data.startswith(bom):
            return f"file is {name} (byte-order mark {bom.hex(' ')}); re-save it as UTF-8"
    return None


def duplicate_columns(names: list[str]) -> str | None:
    """'duplicate column(s) a, b (...)' when a header names a column twice, else None."""
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if not repeated:
        return None
    return f"duplicate column(s) {', '.join(repeated)} (which copy holds the data is ambiguous)"


def _refuse_foreign_encoding(path: Path, data: bytes) -> None:
    """A UTF-16/UTF-32 file is one clear error naming the encoding, not a header mismatch."""
    problem = foreign_encoding(data)
    if problem:
        raise ContractError(f"{path}: row 1 (header): {problem}")


def _decode_lines(path: Path, data: bytes) -> tuple[str, list[tuple[int, str]]]:
    """Decode UTF-8 line by line; undecodable or NUL-bearing lines become rejections."""
    try:
        text = data.decode("utf-8-sig")
        if "\x00" not in text:
            return text, []
    except UnicodeDecodeError:
        pass
    good: list[str] = []
    bad: list[tuple[int, str]] = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        chunk = raw_line[3:] if number == 1 and raw_line.startswith(b"\xef\xbb\xbf") else raw_line
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(
                (
                    number,
                    f"not UTF-8 text (byte 0x{chunk[exc.start]:02x} at column "
                    f"{exc.start + 1}; GBK/GB18030? re-save as UTF-8)",
                )
            )
            line = ""
        if "\x00" in line:
            bad.append((number, "contains a NUL byte"))
            line = ""
        good.append(line)
    if bad and bad[0][0] == 1:
        raise ContractError(f"{path}: row 1 (header): {bad[0][1]}")
    return "\n".join(good), bad


def _parse_number(col: pl.Expr) -> pl.Expr:
    cleaned = col.str.replace_all(r"[\s\u00a0\u3000,，]", "")
    multiplier = pl.when(cleaned.str.contains("万")).then(pl.lit(10_000.0)).otherwise(pl.lit(1.0))
    number = cleaned.str.replace(UNIT_SUFFIX, "").cast(pl.Float64, strict=False) * multiplier
    # "inf", "NaN" and overflowing literals (1e400) parse as floats but are not quantities.
    return pl.when(number.is_finite()).then(number).otherwise(pl.lit(None, pl.Float64))


def _typed(f: Field) -> pl.Expr:
    col = pl.col(f.name)
    if f.kind == "int":
        return _parse_number(col).round(0).cast(pl.Int64, strict=False)
    if f.kind == "float":
        return _parse_number(col)
    if f.kind == "date":
        return col.str.to_date("%Y-%m-%d", strict=False)
    if f.kind == "bool":
        lower = col.str.to_lowercase()
        return (
            pl.when(lower.is_in(TRUE_WORDS))
            .then(pl.lit(True))
            .when(lower.is_in(FALSE_WORDS))
            .then(pl.lit(False))
            .otherwise(pl.lit(None, pl.Boolean))
        )
    return col


def _maximum(f: Field) -> float:
    return MAX_NUMBER if f.maximum is None else f.maximum


def _field_rejections(raw: pl.DataFrame, f: Field) -> list[pl.DataFrame]:
    col = pl.col(f.name)
    typed = _typed(f)
    out = []
    if f.required:
        out.append(reject_where(raw, col.is_null(), f.name, "missing value"))
    present = col.is_not_null()
    if f.kind != "str":
        expected = {
            "int": "a number",
            "float": "a number",
            "date": "a date YYYY-MM-DD",
            "bool": "true or false",
        }[f.kind]
        unreadable = present & typed.is_null()
        if f.kind == "int":  # a number too large for an integer is out of range, below
            unreadable &= ~(_parse_number(col).abs() > _maximum(f)).fill_null(False)
        out.append(reject_where(raw, unreadable, f.name, f"not {expected}"))
    if f.kind == "int":
        number = _parse_number(col)
        out.append(
            reject_where(raw, present & (number != number.round(0)), f.name, "not a whole number")
        )
    if f.minimum is not None:
        out.append(
            reject_where(raw, present & (typed < f.minimum), f.name, f"below minimum {f.minimum:g}")
        )
    if f.kind in ("int", "float"):
        top = _maximum(f)
        magnitude = _parse_number(col).abs()
        out.append(
            reject_where(raw, present & (magnitude > top), f.name, f"out of range (above {top:g})")
        )
    if f.kind == "date":
        low, high = DATE_RANGE
        out.append(
            reject_where(
                raw,
                present & ((typed < low) | (typed > high)),
                f.name,
                f"date out of range ({low.isoformat()}..{high.isoformat()})",
            )
        )
    if f.kind == "str":
        out.append(
            reject_where(
                raw,
                present & col.str.contains(CONTROL_CHARACTERS),
                f.name,
                "control character in text",
            )
        )
    if f.choices is not None:
        out.append(
            reject_where(
                raw, present & ~col.is_in(f.choices), f.name, f"not one of {', '.join(f.choices)}"
            )
        )
    if f.pattern is not None:
        out.append(
            reject_where(
                raw,
                present & ~col.str.contains(f"^(?:{f.pattern})$"),
                f.name,
                f"does not match pattern {f.pattern}",
            )
        )
    return out


def read_contract(path: Path, contract: Contract, label: str | None = None) -> ContractResult:
    """Read `path` under `contract`: typed good rows, rejected rows with reasons, raw strings.

    `label` is how the file is named in `source_file` columns (default: the path as given).
    """
    path = Path(path)
    file_label = label or str(path)
    if not path.is_file():
        raise ContractError(f"{path}: file not found (contract {contract.name})")
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ContractError(
            f"{path}: empty file, expected a header with {', '.join(contract.columns)}"
        )
    _refuse_foreign_encoding(path, data)
    text, bad_lines = _decode_lines(path, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ContractError(f"{path}: row 1 (header): unreadable CSV ({exc})") from exc
    names = [h.strip().strip("\ufeff").replace("\u00a0", " ") for h in header]
    missing = [f.name for f in contract.fields if f.required and f.name not in names]
    if missing:
        raise ContractError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)} "
            f"(contract {contract.name}; found {', '.join(n for n in names if n) or 'nothing'})"
        )
    repeated = duplicate_columns(names)
    if repeated:
        raise ContractError(f"{path}: row 1 (header): {repeated}")
    extra = tuple(n for n in names if n and n not in contract.columns)
    wanted = {n: i for i, n in enumerate(names) if n}
    columns: dict[str, list[str | None]] = {n: [] for n in wanted}
    rows: list[int] = []
    shape_rejects: list[dict[str, object]] = [
        {"source_file": file_label, "source_row": n, "field": None, "value": None, "reason": why}
        for n, why in bad_lines
    ]
    nulls = {f.name: NULL_WORDS if f.null_words is None else f.null_words for f in contract.fields}
    blank = 0
    while True:
        start = reader.line_num + 1  # a quoted line break spans lines: name the first one
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            shape_rejects.append(
                {
                    "source_file": file_label,
                    "source_row": reader.line_num,
                    "field": None,
                    "value": None,
                    "reason": f"unreadable CSV ({exc})",
                }
            )
            continue
        line = start
        if not any(v.strip() for v in record):
            blank += 1
            continue
        named = [v for i, v in enumerate(record) if i >= len(names) or names[i]]
        if len(record) < len(names) and len(named) < len(wanted):
            shape_rejects.append(
                {
                    "source_file": file_label,
                    "source_row": line,
                    "field": None,
                    "value": ",".join(record)[:200],
                    "reason": f"truncated row: {len(record)} of {len(names)} fields",
                }
            )
            continue
        if len(record) > len(names) and any(v.strip() for v in record[len(names) :]):
            shape_rejects.append(
                {
                    "source_file": file_label,
                    "source_row": line,
                    "field": None,
                    "value": ",".join(record)[:200],
                    "reason": f"row has {len(record)} fields, header has {len(names)}",
                }
            )
            continue
        rows.append(line)
        for name, idx in wanted.items():
            value = record[idx].replace("\u00a0", " ").strip() if idx < len(record) else ""
            columns[name].append(None if value in nulls.get(name, NULL_WORDS) else value)
    raw = pl.DataFrame(
        {
            **{n: pl.Series(n, v, dtype=pl.String) for n, v in columns.items()},
            "source_file": pl.Series("source_file", [file_label] * len(rows), dtype=pl.String),
            "source_row": pl.Series("source_row", rows, dtype=pl.Int64),
        }
    )
    # extra columns are ignored (named in `extra_columns`); missing optional ones are null
    raw = raw.select(
        *[
            pl.col(c) if c in raw.columns else pl.lit(None, dtype=pl.String).alias(c)
            for c in contract.columns
        ],
        "source_file",
        "source_row",
    )
    rejected_parts = [pl.DataFrame(shape_rejects, schema=REJECT_SCHEMA)]
    for f in contract.fields:
        rejected_parts.extend(_field_rejections(raw, f))
    rejected = pl.concat(rejected_parts, how="vertical")
    typed = drop_rejected(raw, rejected).select(
        *[_typed(f).alias(f.name) for f in contract.fields], "source_file", "source_row"
    )
    if contract.key:
        dup = typed.filter(pl.struct(contract.key).is_first_distinct().not_())
        first = typed.group_by(contract.key).agg(pl.col("source_row").min().alias("first_row"))
        dup = dup.join(first, on=list(contract.key), how="left", nulls_equal=True)
        rejected = pl.concat(
            [
                rejected,
                reject_where(
                    dup,
                    pl.lit(True),
                    contract.key[0],
                    pl.format(
                        "duplicate key ({}) of row {}",
                        pl.lit(", ".join(contract.key)),
                        pl.col("first_row"),
                    ),
                ),
            ]
        )
        typed = drop_rejected(typed, rejected)
    return ContractResult(
        good=typed.sort("source_row"),
        rejected=rejected.sort("source_row", "field", nulls_last=True),
        raw=raw,
        skipped_blank_rows=blank,
        extra_columns=extra,
        rows_in=len(set(rows) | {int(str(r["source_row"])) for r in shape_rejects}),
    )
