"""SQL against the published warehouse snapshot, read-only and sandboxed.

The snapshot is opened with `read_only=True` (no writes, no write lock) and with DuckDB's
external access disabled and the configuration locked, so a query can neither write files
(`COPY ... TO`), read files or URLs (`read_csv`, `'https://...'`), attach other databases,
nor install extensions, nor switch any of that back on with `SET`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

import duckdb
import polars as pl

SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


class WarehouseError(Exception):
    """The warehouse cannot be opened or the query fails; the message is one line."""


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A sandboxed read-only connection to the published warehouse at `path`."""
    if not Path(path).is_file():
        raise WarehouseError(f"{path}: no published warehouse yet; run `reekg run` first")
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: cannot open warehouse ({one_line(exc)})") from exc


HINTS = ("Did you mean", "Candidate bindings", "Candidate tables", "HINT:")
EXPORT_BATCH_ROWS = 100_000


def one_line(exc: BaseException) -> str:
    """An exception message on one line: DuckDB's first line plus its hints on later lines
    (`Did you mean "marts.quota_by_holder"?`, candidate columns), without the query echo."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    first, *rest = text.splitlines()
    hints = [line.strip() for line in rest if line.strip().startswith(HINTS)]
    return " ".join([first.strip(), *hints])


def run_sql(path: Path, query: str) -> pl.DataFrame:
    """Run `query` (the last statement's result is returned) on the published warehouse."""
    if not query.strip():
        raise WarehouseError("empty SQL query")
    con = connect_read_only(path)
    try:
        relation = con.sql(query)
        return pl.DataFrame() if relation is None else relation.pl()
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {one_line(exc)}") from exc
    finally:
        con.close()


ExportFormat = Literal["csv", "parquet"]


def export_sql(path: Path, query: str, fmt: ExportFormat, out: IO[bytes]) -> int:
    """Stream the result of `query` into `out` as CSV or Parquet, in Arrow batches of
    `EXPORT_BATCH_ROWS` rows (memory stays flat however many rows there are). Returns rows."""
    if not query.strip():
        raise WarehouseError("empty SQL query")
    con = connect_read_only(path)
    try:
        relation = con.sql(query)
        if relation is None:
            raise WarehouseError("the last SQL statement returns no rows to export")
        reader = relation.to_arrow_reader(EXPORT_BATCH_ROWS)
        if fmt == "parquet":
            return _write_parquet(reader, out)
        rows = 0
        for number, batch in enumerate(_batches(reader)):
            _frame(batch).write_csv(out, include_header=number == 0)
            rows += batch.num_rows
        if rows == 0:  # a header even when there are no rows
            _frame(reader.schema.empty_table()).write_csv(out)
        return rows
    except duckdb.Error as exc:
        raise WarehouseError(f"SQL error: {one_line(exc)}") from exc
    finally:
        con.close()


def _frame(data: Any) -> pl.DataFrame:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _batches(reader: Any) -> Iterator[Any]:
    """The non-empty record batches of an Arrow reader."""
    for batch in reader:
        if batch.num_rows:
            yield batch


def _write_parquet(reader: Any, out: IO[bytes]) -> int:
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
        for batch in _batches(reader):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def table_counts(path: Path, schemas: tuple[str, ...] = ("marts", "core")) -> pl.DataFrame:
    """Row count of every table in `schemas` (names come from the catalog, quoted)."""
    con = connect_read_only(path)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (SELECT unnest($schemas)) ORDER BY 1, 2",
            {"schemas": list(schemas)},
        ).fetchall()
        rows = []
        for schema, name in tables:
            ident = (
                f'"{schema.replace(chr(34), chr(34) * 2)}"."{name.replace(chr(34), chr(34) * 2)}"'
            )
            count = con.execute(f"SELECT count(*) FROM {ident}").fetchone()
            rows.append({"table": f"{schema}.{name}", "rows": int(count[0]) if count else 0})
        return pl.DataFrame(rows, schema={"table": pl.String, "rows": pl.Int64})
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: {one_line(exc)}") from exc
    finally:
        con.close()
