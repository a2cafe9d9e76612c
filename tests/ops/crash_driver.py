"""A headless run that stops at a chosen point of a write and waits there to be SIGKILLed.

`python -m tests.ops.crash_driver <point> <ready_file> <selection>` runs `materialize_all` on the
deployment given by the environment, with one write replaced by a version that stops half-way,
touches `ready_file` and sleeps. The test kills the process at that moment. Points:

- `warehouse`: inside the transaction that replaces core.quotas, after its DELETE;
- `publish`: half-way through writing the published snapshot's temp file;
- `graph`: after the release's N-Quads were written to its temporary folder, before the store.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import duckdb

HOLD_SECONDS = 600


def hold(ready: Path) -> None:
    ready.write_text("ready", encoding="utf-8")
    time.sleep(HOLD_SECONDS)


def stop_in_warehouse_write(ready: Path) -> None:
    import etl.capacity.assets
    import etl.core.warehouse

    real = etl.core.warehouse.replace_rows

    def replace_rows(con: duckdb.DuckDBPyConnection, table: str, *args: Any, **kw: Any) -> int:
        if table == "core.quotas":
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM core.quotas")
            hold(ready)
        return real(con, table, *args, **kw)

    etl.capacity.assets.replace_rows = replace_rows


def stop_in_publish_copy(ready: Path) -> None:
    import etl.core.warehouse

    def write_snapshot(working: Path, target: Path) -> None:
        data = Path(working).read_bytes()
        Path(target).write_bytes(data[: len(data) // 2])
        hold(ready)

    etl.core.warehouse.write_snapshot = write_snapshot


def stop_in_graph_build(ready: Path) -> None:
    import etl.graph.build

    real = etl.graph.build.write_tables

    def write_tables(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        hold(ready)
        return out

    etl.graph.build.write_tables = write_tables


POINTS = {
    "warehouse": stop_in_warehouse_write,
    "publish": stop_in_publish_copy,
    "graph": stop_in_graph_build,
}


def main() -> None:
    point, ready, selection = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    POINTS[point](ready)
    from etl.cli.run import materialize_all
    from etl.ops.instance import instance_for
    from etl.ops.recovery import recover_orphaned_runs
    from etl.settings import Settings

    recover_orphaned_runs(instance_for(Settings.from_env()))
    materialize_all(selection=selection)
    sys.exit("the run finished without reaching the crash point")


if __name__ == "__main__":
    main()
