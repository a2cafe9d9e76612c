"""Loading a contract-checked file into the raw and core layers, with its rejects quarantined."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl.core.contracts import Contract, ContractResult, read_contract
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
) -> tuple[LoadReport, pl.DataFrame]:
    """Read `path` under `contract`, resolve ids, and replace raw, core and quarantine rows.

    Raw rows (the whole file, as read) replace `raw.<contract.name>` rows of the same file;
    `where`/`params` select the core rows replaced (everything by default) and `partition_key`
    the quarantine rows replaced, so reruns are idempotent.
    """
    result: ContractResult = read_contract(path, contract, label=label)
    good, extra_rejects = resolve(result.good) if resolve else (result.good, None)
    rejected = (
        pl.concat([result.rejected, extra_rejects], how="vertical")
        if extra_rejects is not None
        else result.rejected
    )
    replace_rows(con, f"raw.{contract.name}", result.raw, "source_file = ?", [label])
    replace_rows(con, core_table, good, where, params or [])
    replace_quarantine(con, contract.name, partition_key, rejected)
    report = LoadReport(contract.name, label, result.raw.height, good.height, rejected.height)
    return report, good
