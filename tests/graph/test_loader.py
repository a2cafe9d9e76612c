"""The release's loader: `dataset.nq` written, then bulk-loaded by a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.graph.loader import JEMALLOC, DatasetWriter, allocator_env

G = "<https://example.org/g>"


def _lines(n: int) -> bytes:
    return "".join(
        f'<https://example.org/s{i}> <https://example.org/p> "{i}" {G} .\n' for i in range(n)
    ).encode()


def test_full_release_loads_what_was_written(tmp_path: Path) -> None:
    """The store holds every line of dataset.nq, and the file is complete on disk."""
    data = _lines(5000)
    with DatasetWriter(tmp_path / "dataset.nq", tmp_path / "store") as writer:
        writer.write(data[:100_000])
        writer.write(data[100_000:])
    assert (tmp_path / "dataset.nq").read_bytes() == data
    assert writer.bytes_written == len(data)
    assert writer.loader["allocator"] == allocator_env().get("LD_PRELOAD", "system")
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == 5000
    assert ox.Literal("4999") in {q.object for q in store}


def test_loader_failure_names_the_loader(tmp_path: Path) -> None:
    """Bytes Oxigraph cannot parse fail the release with the loader's own message."""
    with (
        pytest.raises(RuntimeError, match="graph loader failed"),
        DatasetWriter(tmp_path / "dataset.nq", tmp_path / "store") as writer,
    ):
        writer.write(b"<https://example.org/s> this is not N-Quads .\n")


def test_allocator_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.delenv("MALLOC_CONF", raising=False)
    assert "LD_PRELOAD" not in allocator_env("system")
    with pytest.raises(FileNotFoundError, match="REEKG_GRAPH_ALLOCATOR"):
        allocator_env(str(tmp_path / "missing.so"))
    installed = next((p for p in JEMALLOC if Path(p).is_file()), None)
    auto = allocator_env("auto")
    assert auto.get("LD_PRELOAD") == installed
    assert ("MALLOC_CONF" in auto) == (installed is not None)
    monkeypatch.setenv("REEKG_GRAPH_ALLOCATOR", "system")
    assert "LD_PRELOAD" not in allocator_env()


def test_system_allocator_loads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The allocator changes memory, not the store: both settings give the same quads."""
    data = _lines(2000)
    stores = []
    for setting in ("system", "auto"):
        monkeypatch.setenv("REEKG_GRAPH_ALLOCATOR", setting)
        folder = tmp_path / setting
        folder.mkdir()
        with DatasetWriter(folder / "dataset.nq", folder / "store") as writer:
            writer.write(data)
        stores.append({str(q) for q in ox.Store.read_only(str(folder / "store"))})
    assert stores[0] == stores[1]
    assert len(stores[0]) == 2000


def test_trade_flows_come_out_in_a_total_order(tiny_warehouse: Path) -> None:
    """Flows of one month come out by key, whatever order they were stored in: a rerun (and
    DuckDB's parallel sort) writes the same dataset.nq bytes."""
    import duckdb

    from etl.core.warehouse import load_sql
    from etl.graph.models import SQL_DIR

    con = duckdb.connect(str(tiny_warehouse))
    con.execute("SET threads = 1")
    exporters = ["USA", "MMR", "JPN", "DEU", "AUS"]  # stored out of key order
    for iso3 in exporters:
        con.execute(
            "INSERT INTO core.trade_flows SELECT * REPLACE (? AS exporter_iso3, ? AS partner_iso3)"
            " FROM (SELECT * FROM core.trade_flows LIMIT 1)",
            [iso3, iso3],
        )
    con.execute("SET VARIABLE reekg_include_synthetic = false")
    rows = con.sql(load_sql(SQL_DIR, "select_trade_flows")).fetchall()
    con.close()
    keys = [(r[1], r[2], r[3], r[0]) for r in rows]  # graph, year, month, key
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], k[2] or 0, k[3]))
    assert len({r[0] for r in rows}) == len(rows)


def test_loader_memory_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader child starts sized for one CPU unless told otherwise; a bad value fails."""
    data = _lines(100)
    for setting, expected in ((None, "low"), ("default", "default")):
        if setting:
            monkeypatch.setenv("REEKG_GRAPH_LOADER_MEMORY", setting)
        folder = tmp_path / expected
        folder.mkdir()
        with DatasetWriter(folder / "dataset.nq", folder / "store") as writer:
            writer.write(data)
        assert writer.loader["memory"] == expected
        assert len(ox.Store.read_only(str(folder / "store"))) == 100
    monkeypatch.setenv("REEKG_GRAPH_LOADER_MEMORY", "huge")
    (tmp_path / "bad").mkdir()
    with (
        pytest.raises(RuntimeError, match="REEKG_GRAPH_LOADER_MEMORY"),
        DatasetWriter(tmp_path / "bad" / "dataset.nq", tmp_path / "bad" / "store") as writer,
    ):
        writer.write(data)


PINNING = """
import json, os, threading, time
from etl.graph.loader import _one_cpu_until_first_worker
cpus = sorted(os.sched_getaffinity(0))
seen, ready, go = {}, threading.Event(), threading.Event()

def older():  # as RocksDB's threads, started with the store before the load
    ready.set()
    go.wait()
    seen["older"] = sorted(os.sched_getaffinity(0))

thread = threading.Thread(target=older)
thread.start()
ready.wait()
_one_cpu_until_first_worker()
seen["pinned"] = sorted(os.sched_getaffinity(0))
go.set()
thread.join()
time.sleep(0.3)
seen["before_worker"] = sorted(os.sched_getaffinity(0))
worker = threading.Thread(target=time.sleep, args=(0.5,))  # as Oxigraph's first batch worker
worker.start()
deadline = time.monotonic() + 10
while sorted(os.sched_getaffinity(0)) != cpus and time.monotonic() < deadline:
    time.sleep(0.01)
seen["after_worker"] = sorted(os.sched_getaffinity(0))
seen["all"] = cpus
print(json.dumps(seen))
"""


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="pinning needs two CPUs",
)
def test_low_memory_pins_only_the_loading_thread_until_a_worker_starts() -> None:
    """The loading thread runs on one CPU until a new thread (Oxigraph's first worker)
    exists; threads started before (RocksDB's) keep every CPU throughout."""
    out = subprocess.run(
        [sys.executable, "-c", PINNING], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    seen = json.loads(out.stdout)
    assert seen["older"] == seen["all"]
    assert seen["pinned"] == seen["all"][-1:]
    assert seen["before_worker"] == seen["all"][-1:]  # a thread that ended does not widen it
    assert seen["after_worker"] == seen["all"]


ROCKSDB_THREADS = """
import json, os, sys, threading, time
from pathlib import Path
from etl.graph.loader import load_path
seen = {}

def sample():
    while not done.is_set():
        for tid in os.listdir("/proc/self/task"):
            try:
                name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
                if name.startswith("rocksdb"):
                    seen[name] = sorted(os.sched_getaffinity(int(tid)))
            except OSError:
                pass
        time.sleep(0.01)

done = threading.Event()
threading.Thread(target=sample, daemon=True).start()
load_path(Path(sys.argv[1]), Path(sys.argv[2]))
time.sleep(0.05)
done.set()
print(json.dumps({"rocksdb": seen, "all": sorted(os.sched_getaffinity(0))}))
"""


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="pinning needs two CPUs",
)
def test_low_memory_leaves_rocksdb_threads_every_cpu(tmp_path: Path) -> None:
    """The store opens before the loading thread is pinned: RocksDB's compaction threads
    (pinned with it, they shared one CPU with the load) run on every CPU."""
    (tmp_path / "dataset.nq").write_bytes(_lines(50_000))
    out = subprocess.run(
        [sys.executable, "-c", ROCKSDB_THREADS, str(tmp_path / "store"),
         str(tmp_path / "dataset.nq")],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "REEKG_GRAPH_LOADER_MEMORY": "low"},
    )  # fmt: skip
    seen = json.loads(out.stdout)
    assert seen["rocksdb"], "no RocksDB thread seen"
    assert all(cpus == seen["all"] for cpus in seen["rocksdb"].values()), seen
