"""The trade landing sensor detects change by content (etl/core/landing.py's digest), not by
mtime and size: a touched file with the same bytes starts nothing, a file rewritten with the
same size and mtime but other bytes does, a removed file re-runs the partitions it held."""

from __future__ import annotations

import os
import time
from pathlib import Path

from etl.trade.sensors import plan_runs

OLD = time.time() - 60
HEADER = "t,i,j,k,v,q\n"


def write(path: Path, text: str, mtime: float = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(int(mtime * 1e9), int(mtime * 1e9)))
    return path


def partitions(landing: Path, cursor: dict[str, object]) -> tuple[list[str], dict[str, object]]:
    requests, seen, _ = plan_runs(landing, cursor)
    keys = sorted(
        f"{r.asset_selection[0].to_user_string()}:{r.partition_key}"
        for r in requests
        if r.asset_selection
    )
    return keys, seen


def test_trade_sensor_compares_content_not_mtime_and_size(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    baci = landing / "trade" / "baci"
    path = write(baci / "BACI_HS22_Y2022_V202501.csv", HEADER + "2022,156,842,280530,1,1\n")
    requested, cursor = partitions(landing, {})
    assert requested == ["trade/baci:2022"]
    assert partitions(landing, cursor)[0] == []

    # touched: new mtime, same bytes -> nothing (an mtime:size stamp would re-run it)
    os.utime(path, (OLD + 5, OLD + 5))
    requested, cursor = partitions(landing, cursor)
    assert requested == []

    # same size and same mtime, other bytes -> a run (an mtime:size stamp would miss it)
    stat = path.stat()
    write(path, HEADER + "2022,156,842,280530,7,1\n", mtime=OLD)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    requested, cursor = partitions(landing, cursor)
    assert requested == ["trade/baci:2022"]

    # a file still being written waits; a removed file re-runs the partition it held
    write(baci / "BACI_HS22_Y2023_V202501.csv", HEADER + "2023,156,842,280530,1,1\n", time.time())
    assert partitions(landing, cursor)[0] == []
    path.unlink()
    requested, cursor = partitions(landing, cursor)
    assert requested == ["trade/baci:2022"]
    assert partitions(landing, cursor)[0] == []
