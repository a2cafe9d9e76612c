"""Loading a contract-checked file into the raw and core layers, with its rejects quarantined."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl.core.contracts import Contract, read_contract
from etl.core.landing import LANDING_LABEL, merge_by_key
from etl.core.warehouse import replace_quarantine, replace_rows

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
