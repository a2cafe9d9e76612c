"""The DuckDB warehouse: one working file written by assets, one published snapshot read by users.

Writers are serialized (the `duckdb_writer` concurrency pool, plus a retry on DuckDB's file lock);
readers open the published snapshot read-only, so they never wait on or block a writer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg
import duckdb
import polars as pl

SCHEMAS = ("raw", "core", "marts", "quarantine")
WRITER_POOL = "duckdb_writer"
LOCK_WAIT_SECONDS = 120.0
SQL_DIR = Path(__file__).parent / "sql"
T = TypeVar("T")


def load_sql(sql_dir: Path, name: str) -> str:
    """Text of `<sql_dir>/<name>.sql`; SQL lives in files, never in f-strings."""
    return (sql_dir / f"{name}.sql").read_text(encoding="utf-8")


def connect_with_retry(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, waiting (with backoff) while another process holds its write lock."""
    return retry_on_lock(lambda: duckdb.connect(str(path), read_only=read_only))


def retry_on_lock(action: Callable[[], T]) -> T:
    """Run `action`, retrying (with backoff) while another process holds a DuckDB write lock."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.05
    while True:
        try:
            return action()
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def write_snapshot(working: Path, target: Path) -> None:
    """Copy the (checkpointed) working file to `target` in DuckDB's v1.4.0 storage format,
    which DuckDB clients from 1.4 on open (the working file uses 2.x's newer format)."""
    with duckdb.connect() as con:
        con.execute("SET VARIABLE reekg_working = ?", [str(working)])
        con.execute("SET VARIABLE reekg_snapshot = ?", [str(target)])
        retry_on_lock(lambda: con.execute(load_sql(SQL_DIR, "copy_warehouse_snapshot")))


class WarehouseResource(dg.ConfigurableResource):
    """DuckDB warehouse: `path` is the working file, `published_path` the readers' snapshot."""

    path: str
    published_path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the working file, with every layer's schema created."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = connect_with_retry(Path(self.path))
        try:
            for schema in SCHEMAS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            ensure_quarantine(con)
            yield con
        finally:
            con.close()

    def publish(self) -> Path:
        """Copy the working file to the published snapshot atomically (temp file, then rename)."""
        staged = self.stage_snapshot()
        try:
            os.replace(staged, self.published_path)
        finally:
            staged.unlink(missing_ok=True)
        return Path(self.published_path)

    def stage_snapshot(self) -> Path:
        """A checkpointed, fsynced, verified copy of the working file next to the published
        snapshot, ready to be renamed over it (the caller renames or removes it)."""
        working, published = Path(self.path), Path(self.published_path)
        with self.connect() as con:
            con.execute("CHECKPOINT")
        published.parent.mkdir(parents=True, exist_ok=True)
        tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
        try:
            tmp.unlink(missing_ok=True)
            write_snapshot(working, tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            duckdb.connect(str(tmp), read_only=True).close()  # refuse to publish a broken copy
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp


QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine.rejected_rows (
    dataset VARCHAR NOT NULL,
    partition_key VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT,
    field VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
)
"""


def ensure_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """Create the quarantine table every reader writes its rejected rows to."""
    con.execute(QUARANTINE_DDL)


def replace_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    where: str = "TRUE",
    params: Sequence[Any] | Mapping[str, Any] = (),
) -> int:
    """Idempotently replace the rows of `table` matching `where` with `frame`, in one transaction.

    `table` and `where` come from module constants only; values are bound through `params`.
    The table is created from the frame's schema on first use.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_incoming", frame.to_arrow())
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _incoming LIMIT 0")
        con.execute(f"DELETE FROM {table} WHERE {where}", params)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
        con.unregister("_incoming")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return frame.height


def replace_quarantine(
    con: duckdb.DuckDBPyConnection, dataset: str, partition_key: str, rejected: pl.DataFrame
) -> int:
    """Replace one dataset partition's rejected rows (so reruns never duplicate them)."""
    rows = rejected.with_columns(
        pl.lit(dataset).alias("dataset"), pl.lit(partition_key).alias("partition_key")
    ).select("dataset", "partition_key", "source_file", "source_row", "field", "value", "reason")
    return replace_rows(
        con,
        "quarantine.rejected_rows",
        rows,
        "dataset = ? AND partition_key = ?",
        [dataset, partition_key],
    )


def query_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pl.DataFrame:
    """Run `sql` with bound `params` and return a Polars frame (DuckDB 2.0: `con.sql(...).pl()`)."""
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()
