"""Incremental release: one new trade month re-renders one segment and reuses everything else."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyoxigraph as ox
from rdflib import BNode, Dataset

from etl.graph.build import BuildResult, build_release
from etl.graph.models import GRAPH_PROVENANCE
from etl.graph.store import DATASET, MANIFEST, STORE
from etl.graph.vocab import graph
from tests.graph.data import make_tiny_warehouse

NEW_MONTH = """
INSERT INTO core.trade_flows VALUES
 ('trade.comtrade', '2022-03', 2022, 3, '202203', 'M', 'USA', 'CHN', 'CHN', 'USA', 'import',
  'importer', true, false, '280530', 'HS2017', 1.5, 99000.0, 'r2', 'wikipedia-creg',
  'landing/x.csv', 3, 99000.0, 'USD', NULL, 'hs6', true);
"""
PROVENANCE = graph(GRAPH_PROVENANCE)


def build(warehouse: Path, graph_dir: Path, base: Path | None = None) -> BuildResult:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return build_release(con, graph_dir, warehouse_path=str(warehouse), base=base)
    finally:
        con.close()


def quads_of_file(path: Path) -> set[tuple[str, ...]]:
    """Every quad of an N-Quads file but the provenance graph's (run time and id differ);
    blank nodes (the ontology's) as `_:` since rdflib relabels them on each parse."""
    ds = Dataset()
    ds.parse(path, format="nquads")
    return {
        tuple("_:" if isinstance(t, BNode) else t.n3() for t in q)  # type: ignore[union-attr]
        for q in ds.quads()
        if q[3] != PROVENANCE
    }


def quads_of_store(path: Path) -> set[tuple[str, ...]]:
    store = ox.Store.read_only(str(path))
    out = {
        tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in q)
        for q in store
        if q.graph_name.value != str(PROVENANCE)
    }
    del store
    return out


def test_new_month_reuses_the_rest_and_equals_a_full_build(tmp_path: Path) -> None:
    warehouse = make_tiny_warehouse(tmp_path / "w.duckdb")
    first = build(warehouse, tmp_path / "g")
    con = duckdb.connect(str(warehouse))
    con.execute(NEW_MONTH)
    con.close()
    step = build(warehouse, tmp_path / "g", base=first.release_dir)
    full = build(warehouse, tmp_path / "full")

    assert quads_of_file(step.release_dir / DATASET) == quads_of_file(full.release_dir / DATASET)
    assert quads_of_store(step.release_dir / STORE) == quads_of_store(full.release_dir / STORE)
    assert step.triples_by_graph == full.triples_by_graph
    manifest = json.loads((step.release_dir / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["base_release"] == first.release_id
    assert "reuse_store" in step.seconds
    # Only the new month's segment (and provenance) were rendered: every other segment's
    # bytes come from the first release, at the same digest.
    before = {s["key"]: s["digest"] for s in json.loads(
        (first.release_dir / MANIFEST).read_text(encoding="utf-8"))["segments"]}  # fmt: skip
    after = {s["key"]: s["digest"] for s in manifest["segments"]}
    new = {k for k, d in after.items() if before.get(k) != d}
    assert new == {"trade_flows|trade-comtrade|2022|3#1", "provenance"}
    # Graphs with no changed segment keep the first release's Turtle file (same inode).
    for name in ("reference", "capacity-quotas"):
        ttl = f"graphs/{name}.ttl"
        assert (step.release_dir / ttl).stat().st_ino == (first.release_dir / ttl).stat().st_ino
    trade_ttl = "graphs/trade-comtrade.ttl"
    assert (step.release_dir / trade_ttl).stat().st_ino != (
        first.release_dir / trade_ttl
    ).stat().st_ino


def test_changed_row_is_replaced_not_added(tmp_path: Path) -> None:
    warehouse = make_tiny_warehouse(tmp_path / "w.duckdb")
    first = build(warehouse, tmp_path / "g")
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE core.trade_flows SET value_usd = 7.0")
    con.close()
    step = build(warehouse, tmp_path / "g", base=first.release_dir)
    full = build(warehouse, tmp_path / "full")
    assert quads_of_store(step.release_dir / STORE) == quads_of_store(full.release_dir / STORE)
    values = [q for q in quads_of_store(step.release_dir / STORE) if "valueUSD" in q[1]]
    assert len(values) == 1 and values[0][2].startswith('"7')
