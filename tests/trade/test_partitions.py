"""Partition reruns are idempotent; the landing sensor asks only for the partitions it sees."""

from __future__ import annotations

import json
import os
import time

import dagster as dg

from etl.definitions import build_defs
from etl.resources import build_resources
from etl.trade.assets import baci
from tests.trade.conftest import comtrade_row, query, run, write_baci, write_comtrade

TABLE_HASH = (
    "SELECT count(*), md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR))) "
    "FROM {} AS t"
)


def _hashes(settings):
    return [
        query(settings, TABLE_HASH.format(table))[0]
        for table in ("core.trade_flows", "quarantine.rejected_rows")
    ]


def test_rerunning_a_partition_leaves_identical_tables(settings):
    folder = settings.landing_dir / "trade" / "baci"
    write_baci(
        folder, "BACI_HS22_Y2023_V202501.csv", ["2023,156,842,280530,1,1", "2023,1,2,280530,x,"]
    )
    write_baci(folder, "BACI_HS22_Y2022_V202501.csv", ["2022,156,392,284690,2,1"])
    run(settings, [baci], partition_key="2022")
    run(settings, [baci], partition_key="2023")
    first = _hashes(settings)
    assert first[0][0] == 2 and first[1][0] == 3  # 2 flows; 3 rejections (i, j, v of line 3)
    run(settings, [baci], partition_key="2023")
    assert _hashes(settings) == first
    # A corrected file replaces the partition, and only that partition.
    write_baci(folder, "BACI_HS22_Y2023_V202501.csv", ["2023,156,842,280530,5,1"])
    run(settings, [baci], partition_key="2023")
    assert query(settings, "SELECT year, value_usd FROM core.trade_flows ORDER BY year") == [
        (2022, 2000.0),
        (2023, 5000.0),
    ]
    assert query(settings, "SELECT count(*) FROM quarantine.rejected_rows") == [(0,)]


def _age(folder, seconds=60):
    """Backdate every file under `folder`, so the sensor treats them as settled."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)


def _tick(settings, cursor=None):
    """One sensor evaluation against the full definitions (so run requests must resolve)."""
    defs = build_defs(settings)
    sensor = defs.resolve_sensor_def("trade_landing_sensor")
    with dg.build_sensor_context(
        cursor=cursor,
        definitions=defs,
        resources=build_resources(settings),
        instance=dg.DagsterInstance.ephemeral(),
    ) as context:
        data = sensor.evaluate_tick(context)
    requested = sorted(
        (r.asset_selection[0].to_user_string(), r.partition_key)
        for r in data.run_requests or []
        if r.asset_selection
    )
    return requested, data.cursor


def test_sensor_requests_only_the_partitions_a_new_file_touches(settings, tmp_path):
    assert _tick(settings)[0] == []
    baci_dir = settings.landing_dir / "trade" / "baci"
    write_baci(baci_dir, "BACI_HS22_Y2021_V202501.csv", ["2021,156,842,280530,1,1"])
    assert _tick(settings)[0] == []  # just written: may still be being copied in
    _age(settings.landing_dir)
    requested, cursor = _tick(settings)
    assert requested == [("trade/baci", "2021")]
    assert _tick(settings, cursor)[0] == []  # nothing new

    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "m.csv",
        [
            comtrade_row(freqCode="M", refYear=2024, refMonth=1, period=202401),
            comtrade_row(freqCode="M", refYear=2024, refMonth=2, period=202402),
        ],
    )
    _age(settings.landing_dir / "trade" / "comtrade")
    requested, cursor = _tick(settings, cursor)
    assert requested == [
        ("trade/comtrade_monthly", "2024-01"),
        ("trade/comtrade_monthly", "2024-02"),
    ]

    # A file that is not a Comtrade CSV is skipped (logged), not fatal to the tick.
    bad = settings.landing_dir / "trade" / "comtrade" / "notes.csv"
    bad.write_text("a,b\n1,2\n")
    past = time.time() - 60
    os.utime(bad, (past, past))
    requested, cursor = _tick(settings, cursor)
    assert requested == []

    # A symlink to a file outside the landing folder is never followed.
    outside = tmp_path / "outside.csv"
    outside.write_text(",".join(["t", "i"]) + "\n")
    link = baci_dir / "BACI_HS22_Y2020_V202501.csv"
    os.symlink(outside, link)
    past = time.time() - 60
    os.utime(outside, (past, past))
    assert _tick(settings, cursor)[0] == []
    assert all(str(settings.landing_dir) in path for path in json.loads(cursor))


def test_a_partition_whose_file_was_removed_is_emptied(settings):
    folder = settings.landing_dir / "trade" / "baci"
    path = write_baci(folder, "BACI_HS22_Y2019_V202501.csv", ["2019,156,842,280530,1,1"])
    run(settings, [baci], partition_key="2019")
    assert query(settings, "SELECT count(*) FROM core.trade_flows") == [(1,)]
    path.unlink()
    run(settings, [baci], partition_key="2019")
    assert query(settings, "SELECT count(*) FROM core.trade_flows") == [(0,)]
