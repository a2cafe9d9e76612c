"""Publishing the warehouse: readers only ever see a complete snapshot."""

from collections.abc import Sequence

import dagster as dg

from etl.core.warehouse import WRITER_POOL, WarehouseResource

PUBLISHED_WAREHOUSE = dg.AssetKey(["publish", "warehouse"])


def published_warehouse_asset(deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """`publish/warehouse`: copy the working DuckDB file to the published snapshot atomically."""

    @dg.asset(
        key=PUBLISHED_WAREHOUSE,
        group_name="publish",
        owners=["team:ops"],
        kinds={"duckdb"},
        pool=WRITER_POOL,
        deps=list(deps),
        automation_condition=dg.AutomationCondition.eager(),
        description="The published DuckDB snapshot users query (read-only): a checkpointed copy "
        "of the working warehouse, written to a temporary file and renamed into place, so a "
        "crash mid-run never leaves readers with a half-written warehouse.",
    )
    def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        path = warehouse.publish()
        with warehouse.connect() as con:
            tables = con.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                "WHERE schema_name IN ('core', 'marts') ORDER BY 1"
            ).fetchall()
            counts = {
                t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for (t,) in tables
            }
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "tables": dg.MetadataValue.json(counts),
                "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
            }
        )

    return published_warehouse
