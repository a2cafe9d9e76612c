"""Marts built by one SQL file each: `CREATE OR REPLACE TABLE marts.<name> AS ...`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from etl.core.metadata import materialize_result
from etl.core.warehouse import WRITER_POOL, WarehouseResource, load_sql


def sql_mart(
    name: str,
    sql_dir: Path,
    deps: Sequence[dg.AssetKey],
    group: str,
    description: str,
    sql_name: str | None = None,
) -> dg.AssetsDefinition:
    """Asset `marts/<name>` that runs `<sql_dir>/<sql_name or create_<name>>.sql` atomically."""
    sql = load_sql(sql_dir, sql_name or f"create_{name}")

    @dg.asset(
        key=["marts", name],
        group_name=group,
        owners=[f"team:{group}"],
        kinds={"duckdb", "sql"},
        pool=WRITER_POOL,
        deps=list(deps),
        description=description,
    )
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            return materialize_result(con, f"marts.{name}")

    return _mart
