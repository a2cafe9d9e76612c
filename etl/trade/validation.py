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


def _field_counts(path: Path) -> pl.DataFrame:
    """(source_row, fields) of every physical line of `path`, quoted commas not counted."""
    lines = pl.scan_csv(
        path,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
        row_index_name="source_row",
        row_index_offset=1,
    )
    cleaned = pl.col("line").fill_null("").str.strip_suffix("\r").str.replace_all(QUOTED, "q")
    return lines.select(
        pl.col("source_row").cast(pl.Int64), (cleaned.str.count_matches(",") + 1).alias("fields")
    ).collect(engine="streaming")


def ragged_rules(frame: pl.DataFrame, file_column: str = "source_file") -> list[Rule]:
    """One rule per file of `frame`: its rows whose line has a field count unlike the header's."""
    rules: list[Rule] = []
    if not frame.height:
        return rules
    for name in frame[file_column].unique().sort().to_list():
        counts = _field_counts(Path(name))
        if not counts.height:
            continue
        expected = int(counts["fields"][0])
        wrong = counts.filter((pl.col("source_row") > 1) & (pl.col("fields") != expected))
        if not wrong.height:
            continue
        mapping = dict(wrong.iter_rows())
        fields = pl.col("source_row").replace_strict(mapping, default=None, return_dtype=pl.Int64)
        mask = (pl.col(file_column) == name) & pl.col("source_row").is_in(list(mapping))
        reason = pl.format("row has {} fields, header has {}", fields, pl.lit(expected))
        rules.append((mask, file_column, reason))
    return rules


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
