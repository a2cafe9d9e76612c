"""SQL against the published warehouse snapshot, read-only and sandboxed.

The snapshot is opened with `read_only=True` (no writes, no write lock) and with DuckDB's
external access disabled and the configuration locked, so a query can neither write files
(`COPY ... TO`), read files or URLs (`read_csv`, `'https://...'`), attach other databases,
nor install extensions, nor switch any of that back on with `SET`.
"""

from __future__ import annotations

from pathlib import Path

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


def one_line(exc: BaseException) -> str:
    """The first line of an exception message (DuckDB adds hints on later lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
