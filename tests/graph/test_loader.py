"""The release's loader: `dataset.nq` written, then bulk-loaded by a child process."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.graph.loader import (
    JEMALLOC,
    DatasetWriter,
    allocator_env,
    blank_node_range,
    parts,
)

G = "<https://example.org/g>"
LOADER = Path(__file__).resolve().parents[2] / "etl" / "graph" / "loader.py"


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
        pytest.raises(RuntimeError, match=r"graph loader failed: \S+dataset\.nq line 1 column 25"),
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


BLANK = (
    f"<https://example.org/s0> <https://example.org/q> _:a {G} .\n"
    f"_:a <https://example.org/p> _:b {G} .\n"
    f'_:b <https://example.org/p> "end" {G} .\n'
).encode()


def _with_blank_nodes(tmp_path: Path) -> tuple[Path, tuple[int, int]]:
    """4,000 lines, then three with blank nodes, then 4,000 more; the blank nodes' range."""
    head, tail = _lines(4000), _lines(8000)[len(_lines(4000)) :]
    path = tmp_path / "dataset.nq"
    path.write_bytes(head + BLANK + tail)
    return path, (len(head), len(head) + len(BLANK))


def _blank_nodes(store: ox.Store) -> int:
    return len({t for q in store for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)})


def test_parts_end_at_line_ends_and_keep_the_blank_nodes_whole(tmp_path: Path) -> None:
    path, together = _with_blank_nodes(tmp_path)
    data = path.read_bytes()
    ranges = parts(path, together, part_bytes=20_000)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))  # no gap
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges)
    assert not [cut for _, cut in ranges if together[0] < cut < together[1]]
    assert len(ranges) == pytest.approx(len(data) / 20_000, abs=1)
    assert parts(path, together, part_bytes=10 * len(data)) == [(0, len(data))]
    for chunk in (5, 7, 4096, 1 << 24):  # `_:` across the reads' boundaries too
        assert blank_node_range(path, chunk) == together, chunk


def test_loading_by_parts_gives_the_store_of_one_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many parts on two streams hold the same quads as Oxigraph's own load of the file,
    blank nodes included: with the blank nodes' range given, searched for, and (the
    control) ignored, when a cut through it splits one blank node into two."""
    path, together = _with_blank_nodes(tmp_path)
    one = ox.Store(str(tmp_path / "one"))
    one.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    expected = {str(q) for q in one if not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)}  # fmt: skip
    assert _blank_nodes(one) == 2
    monkeypatch.setenv("REEKG_GRAPH_LOADER_STREAMS", "2")
    cut_inside = len(_lines(4000)) + BLANK.index(b"\n") + 1
    for name, args in (("given", [str(together[0]), str(together[1])]), ("searched", []),
                       ("ignored", ["none"])):  # fmt: skip
        env = {**os.environ, "REEKG_GRAPH_LOADER_PART_BYTES": str(cut_inside)}
        out = subprocess.run(
            [sys.executable, "-I", str(LOADER), str(tmp_path / name), str(path), *args],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        report = json.loads(out.stdout.splitlines()[-1])
        store = ox.Store.read_only(str(tmp_path / name))
        assert len(store) == len(one)
        assert {str(q) for q in store if not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)} == expected  # fmt: skip
        assert report["streams"] == 2 and report["parts"] >= 2, report
        assert _blank_nodes(store) == (3 if name == "ignored" else 2), name


def test_a_bad_line_in_a_later_part_names_its_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REEKG_GRAPH_LOADER_PART_BYTES", "20000")
    data = _lines(2000)
    with (
        pytest.raises(
            RuntimeError,
            match=r"graph loader failed: \S+dataset\.nq line 2001 column"
            r" 25: The predicate of a triple must be an IRI$",
        ),
        DatasetWriter(tmp_path / "dataset.nq", tmp_path / "store") as writer,
    ):
        writer.write(data + b"<https://example.org/s> not N-Quads .\n" + data)
        writer.set_blank_nodes(None)


def test_streams_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One stream loads the parts one after another; a negative count fails the release."""
    monkeypatch.setenv("REEKG_GRAPH_LOADER_PART_BYTES", "20000")
    monkeypatch.setenv("REEKG_GRAPH_LOADER_STREAMS", "1")
    with DatasetWriter(tmp_path / "dataset.nq", tmp_path / "store") as writer:
        writer.write(_lines(3000))
    assert writer.loader["streams"] == 1 and writer.loader["parts"] > 5
    assert len(ox.Store.read_only(str(tmp_path / "store"))) == 3000
    monkeypatch.setenv("REEKG_GRAPH_LOADER_STREAMS", "-1")
    with (
        pytest.raises(RuntimeError, match="REEKG_GRAPH_LOADER_STREAMS"),
        DatasetWriter(tmp_path / "bad.nq", tmp_path / "bad") as writer,
    ):
        writer.write(_lines(10))


def test_a_release_tells_the_loader_where_its_blank_nodes_are(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release's store, loaded in parts of 2 KB, has the ontology's blank nodes once,
    as Oxigraph's own load of its dataset.nq has them."""
    import duckdb

    from etl.graph.build import build_release

    monkeypatch.setenv("REEKG_GRAPH_LOADER_PART_BYTES", "2000")
    monkeypatch.setenv("REEKG_GRAPH_LOADER_STREAMS", "2")
    con = duckdb.connect(str(tiny_warehouse), read_only=True)
    built = build_release(con, tmp_path / "graph", warehouse_path=str(tiny_warehouse))
    con.close()
    one = ox.Store()
    one.bulk_load(path=str(built.release_dir / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    store = ox.Store.read_only(str(built.release_dir / "store"))
    assert _blank_nodes(one) > 10
    assert (len(store), _blank_nodes(store)) == (len(one), _blank_nodes(one))
