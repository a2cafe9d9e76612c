"""Loading a contract-checked file into the raw and core layers, with its rejects quarantined."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl.core.contracts import Contract, ContractResult, read_contract, reject_where
from etl.core.landing import LANDING_LABEL, MergedRead, merge_by_key
from etl.core.warehouse import load_sql, replace_quarantine, replace_rows

SQL_DIR = Path(__file__).parent / "sql"
ACCOUNTING_TABLE = "quarantine.file_accounting"
ACCOUNT_SCHEMA = {
    "dataset": pl.String,
    "partition_key": pl.String,
    "source_file": pl.String,
    "rows_in": pl.Int64,
    "rows_landed": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_superseded": pl.Int64,
    "rows_elsewhere": pl.Int64,
}

# A step after the contract: takes the typed rows, returns (rows to land, extra rejections).
Resolver = Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]]


@dataclass(frozen=True)
class LoadReport:
    """Counts of one load, for asset metadata and the run summary."""

    dataset: str
    source_file: str
    read: int
    landed: int
    rejected: int


def load_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    label: str,
    contract: Contract,
    core_table: str,
    resolve: Resolver | None = None,
    partition_key: str = "all",
    where: str = "TRUE",
    params: list[object] | None = None,
    landing: Path | None = None,
    landed: Sequence[Path] = (),
) -> tuple[LoadReport, pl.DataFrame]:
    """Read `path` (and the `landed` files of `landing`, merged by key: see
    etl/core/landing.py) under `contract`, resolve ids, and replace raw, core and quarantine rows.

    Raw rows (each file, as read) replace `raw.<contract.name>` rows of the same file;
    `where`/`params` select the core rows replaced (everything by default) and `partition_key`
    the quarantine rows replaced, so reruns are idempotent.
    """
    merged = merge_by_key(contract, path, label, landing or Path(path).parent, landed)
    if not merged.results:
        read_contract(path, contract, label=label)  # raises: file not found, named
    good, extra_rejects = resolve(merged.good) if resolve else (merged.good, None)
    rejected = (
        pl.concat([merged.rejected, extra_rejects], how="vertical")
        if extra_rejects is not None
        else merged.rejected
    )
    raw_table = f"raw.{contract.name}"
    for file_label, result in zip(merged.labels, merged.results, strict=True):
        replace_rows(con, raw_table, result.raw, "source_file = ?", [file_label])
    drop_removed_landed(con, raw_table, merged.labels)
    replace_rows(con, core_table, good, where, params or [])
    replace_quarantine(con, contract.name, partition_key, rejected)
    record_accounting(
        con,
        contract.name,
        partition_key,
        account_files(
            merged.labels,
            merged.results,
            _landed_rows(merged, rejected),
            rejected,
            superseded_rows(merged),
        ),
    )
    read = sum(r.raw.height for r in merged.results)
    report = LoadReport(contract.name, ", ".join(merged.labels), read, good.height, rejected.height)
    return report, good


def drop_removed_landed(con: duckdb.DuckDBPyConnection, table: str, labels: Sequence[str]) -> None:
    """Delete the rows of landed files (`source_file` under `landing/`) not in `labels`: a file
    removed from the landing folder leaves nothing behind (`table` is a module constant)."""
    con.execute(
        f"DELETE FROM {table} WHERE starts_with(source_file, ?) "
        "AND NOT list_contains(?::VARCHAR[], source_file)",
        [f"{LANDING_LABEL}/", list(labels)],
    )


def _landed_rows(merged: MergedRead, rejected: pl.DataFrame) -> pl.DataFrame:
    """(source_file, source_row) of the merged rows that no later step rejected."""
    if not merged.good.height:
        return pl.DataFrame(schema={"source_file": pl.String, "source_row": pl.Int64})
    return merged.good.select("source_file", "source_row").join(
        rejected.select("source_file", "source_row").unique(),
        on=["source_file", "source_row"],
        how="anti",
    )


def superseded_rows(merged: MergedRead) -> pl.DataFrame:
    """(source_file, source_row) of good rows whose key a later file also holds (merge_by_key)."""
    every = [r.good.select("source_file", "source_row") for r in merged.results]
    if not every or not merged.good.height:
        return pl.DataFrame(schema={"source_file": pl.String, "source_row": pl.Int64})
    return pl.concat(every).join(
        merged.good.select("source_file", "source_row"),
        on=["source_file", "source_row"],
        how="anti",
    )


def _count_by_file(frame: pl.DataFrame | None) -> dict[str, int]:
    if frame is None or not frame.height:
        return {}
    counts = frame.select("source_file", "source_row").unique().group_by("source_file").len()
    return {f: int(n) for f, n in counts.iter_rows()}


def account_files(
    labels: Sequence[str],
    results: Sequence[ContractResult],
    landed: pl.DataFrame,
    rejected: pl.DataFrame,
    superseded: pl.DataFrame | None = None,
    elsewhere: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per file: rows in (from the reader), and how many of them landed, were
    quarantined, superseded by a later file's key or belong to other partitions (each counted
    from the frames given: (source_file, source_row) of the rows in that category)."""
    counts = {
        "rows_landed": _count_by_file(landed),
        "rows_quarantined": _count_by_file(rejected),
        "rows_superseded": _count_by_file(superseded),
        "rows_elsewhere": _count_by_file(elsewhere),
    }
    rows = [
        {
            "source_file": label,
            "rows_in": result.rows_in,
            **{name: by_file.get(label, 0) for name, by_file in counts.items()},
        }
        for label, result in zip(labels, results, strict=True)
    ]
    schema = {k: v for k, v in ACCOUNT_SCHEMA.items() if k not in ("dataset", "partition_key")}
    return pl.DataFrame(rows, schema=schema)


def record_accounting(
    con: duckdb.DuckDBPyConnection, dataset: str, partition_key: str, accounts: pl.DataFrame
) -> None:
    """Replace the accounting rows of one dataset partition (reruns never duplicate them)."""
    con.execute(load_sql(SQL_DIR, "create_file_accounting"))
    rows = accounts.with_columns(
        pl.lit(dataset).alias("dataset"), pl.lit(partition_key).alias("partition_key")
    ).select(list(ACCOUNT_SCHEMA))
    replace_rows(
        con, ACCOUNTING_TABLE, rows, "dataset = ? AND partition_key = ?", [dataset, partition_key]
    )


def reject_outside_partitions(
    frame: pl.DataFrame, partition_keys: Sequence[str], column: str = "year"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows whose `column` is a partition key, rejections of the others): a row of a year no
    partition covers (2010, 2031 for quotas) is quarantined with its reason, never dropped."""
    keys = list(partition_keys)
    outside = ~pl.col(column).cast(pl.String).is_in(keys)
    span = f"{keys[0]}-{keys[-1]}" if keys else "none"
    rejected = reject_where(frame, outside, column, f"year outside the partitions ({span})")
    return frame.filter(~outside), rejected
