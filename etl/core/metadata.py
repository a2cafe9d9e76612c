"""Asset metadata every materialization reports: row count, a Markdown preview, column schema."""

from __future__ import annotations

from typing import Any

import dagster as dg
import duckdb
import polars as pl

PREVIEW_ROWS = 10


def frame_to_markdown(frame: pl.DataFrame, limit: int = PREVIEW_ROWS) -> str:
    """A small Markdown table of the first `limit` rows."""
    head = frame.head(limit)
    if not head.columns:
        return "_(no columns)_"
    lines = [
        "| " + " | ".join(head.columns) + " |",
        "| " + " | ".join("---" for _ in head.columns) + " |",
    ]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
    if frame.height > limit:
        lines.append(f"\n_{frame.height - limit} more rows_")
    return "\n".join(lines)


def table_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    """Row count, preview and column schema of a warehouse table (`table` is a constant)."""
    count_row = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0]
    count = int(count_row[0]) if count_row else 0
    preview = con.sql(f"SELECT * FROM {table} LIMIT {PREVIEW_ROWS}").pl()
    schema_name, _, name = table.partition(".")
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema_name, name],
    ).fetchall()
    return {
        "dagster/row_count": dg.MetadataValue.int(count),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=c, type=t) for c, t in columns]
        ),
        "dagster/table_name": dg.MetadataValue.text(table),
        "preview": dg.MetadataValue.md(frame_to_markdown(preview)),
    }


def materialize_result(
    con: duckdb.DuckDBPyConnection, table: str, **extra: Any
) -> dg.MaterializeResult:
    """`MaterializeResult` with the standard metadata of `table` plus `extra` entries."""
    return dg.MaterializeResult(metadata={**table_metadata(con, table), **extra})
