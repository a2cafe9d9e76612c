"""The release's loader: `dataset.nq` written, then bulk-loaded by a child process."""

from __future__ import annotations

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
