"""Checks the trade readers add to their own: what a lazy Polars scan would let through.

- A number that parses but is no quantity (`NaN`, `inf`, `1e400`) is rejected, not landed.
- A row with more or fewer fields than the header is rejected with both counts: the scan
  itself pads short rows and cuts long ones (`truncate_ragged_lines`), which would shift
  values silently.
- A UTF-16/UTF-32 file or a header naming a column twice is one error naming the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from etl.core.contracts import duplicate_columns, foreign_encoding

Rule = tuple[pl.Expr, str, str | pl.Expr]
HEADER_BYTES = 65536
QUOTED = r'"(?:[^"]|"")*"'
ACCOUNT_COLUMNS = {
    "source_file": pl.String,
    "rows_in": pl.Int64,
    "rows_landed": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_superseded": pl.Int64,
    "rows_elsewhere": pl.Int64,
}


def header_problem(path: Path, header: list[str]) -> str | None:
    """Why the header of `path` cannot be read (foreign encoding, duplicate column), or None."""
    with path.open("rb") as handle:
        problem = foreign_encoding(handle.read(4))
    return problem or duplicate_columns(header)


def non_finite_rule(name: str, typed: pl.Expr) -> tuple[pl.Expr, str, str]:
    """Reject a value that parses as a float but is not finite."""
    return (typed.is_not_null() & ~typed.is_finite(), name, "not a finite number (NaN or inf)")


def field_count(line: pl.Expr) -> pl.Expr:
    """The fields of a raw CSV line (quoted commas not counted, a trailing CR dropped)."""
    cleaned = line.fill_null("").str.strip_suffix("\r").str.replace_all(QUOTED, "q")
    return (cleaned.str.count_matches(",") + 1).cast(pl.Int64)


def scan_lines(path: Path) -> pl.LazyFrame:
    """Every physical line of `path` as one string (`line`; what follows a first 0x1F byte in
    `rest`), with its number (`source_row`, the header is 1)."""
    return pl.scan_csv(
        path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        schema={"line": pl.String, "rest": pl.String},
        truncate_ragged_lines=True,
        missing_columns="insert",
        encoding="utf8-lossy",
        row_index_name="source_row",
        row_index_offset=1,
    )


def field_counts(path: Path, rows: Sequence[int]) -> pl.DataFrame:
    """(source_row, fields) of the lines `rows` of `path` (picked by number before any
    string work)."""
    return (
        scan_lines(path)
        .filter(pl.col("source_row").is_in(list(rows)))
        .select(pl.col("source_row").cast(pl.Int64), field_count(pl.col("line")).alias("fields"))
        .collect(engine="streaming")
    )


def ragged_rules(frame: pl.DataFrame, file_column: str = "source_file") -> list[Rule]:
    """The rows whose line has a field count unlike the header's (columns `_fields` and
    `_header_fields`, which `readers.candidate_rows` adds to every row it reads)."""
    if not frame.height:
        return []
    wrong = pl.col("_fields") != pl.col("_header_fields")
    reason = pl.format("row has {} fields, header has {}", "_fields", "_header_fields")
    return [(wrong, file_column, reason)]


def trade_accounts(
    file_rows: Sequence[tuple[str, int, int]], flows: pl.DataFrame, rejected: pl.DataFrame
) -> pl.DataFrame:
    """Accounting rows (etl/core/loading.py) of one read: per file of `file_rows` (file, rows
    of the partition read, rows set aside as breakdowns of a total), rows landed in `flows`
    and quarantined in `rejected`."""

    def by_file(frame: pl.DataFrame) -> dict[str, int]:
        if not frame.height:
            return {}
        unique = frame.select("source_file", "source_row").unique()
        return dict(unique.group_by("source_file").len().iter_rows())

    landed, quarantined = by_file(flows), by_file(rejected)
    rows = [
        (name, rows_in, landed.get(name, 0), quarantined.get(name, 0), 0, aside)
        for name, rows_in, aside in file_rows
    ]
    return pl.DataFrame(rows, schema=ACCOUNT_COLUMNS, orient="row")
