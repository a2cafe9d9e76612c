"""Test data of the query domain: a tiny graph release, example IRIs and a tiny warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyoxigraph as ox

from etl.graph.store import DATASET, MANIFEST, RELEASES, STORE, activate_release

ID = "https://w3id.org/reekg/id/"
ONT = "https://w3id.org/reekg/ontology#"
GRAPH = "https://w3id.org/reekg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JIANGXI = f"{ID}province/CN-JX"
CREG = f"{ID}org/china-rare-earth-group"
QUOTA = f"{ID}quota/test-2024-annual-creg"
BULK_SOURCES = 150
REFERENCE_TRIPLES = 6
TOTAL_TRIPLES = REFERENCE_TRIPLES + 8 + BULK_SOURCES

QUERY_DOC = Path(__file__).resolve().parents[2] / "docs" / "query.md"


def doc_examples(language: str) -> list[str]:
    """The fenced code blocks of one language in docs/query.md (what the README shows)."""
    text = QUERY_DOC.read_text(encoding="utf-8")
    return [m.strip() for m in re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)]


def quads() -> list[ox.Quad]:
    """Reference facts plus `BULK_SOURCES` source entities (enough for a slow cross join)."""
    ref, bulk = ox.NamedNode(f"{GRAPH}reference"), ox.NamedNode(f"{GRAPH}sources")
    n, lit = ox.NamedNode, ox.Literal
    out = [
        ox.Quad(n(JIANGXI), n(RDF_TYPE), n(f"{ONT}Province"), ref),
        ox.Quad(n(JIANGXI), n(LABEL), lit("Jiangxi", language="en"), ref),
        ox.Quad(n(JIANGXI), n(LABEL), lit("江西", language="zh"), ref),
        ox.Quad(n(CREG), n(RDF_TYPE), n(f"{ONT}Group"), ref),
        ox.Quad(n(CREG), n(LABEL), lit("China Rare Earth Group", language="en"), ref),
        ox.Quad(n(CREG), n(f"{ONT}province"), n(JIANGXI), ref),
    ]
    quotas = ox.NamedNode(f"{GRAPH}capacity-quotas")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for p, o in [
        (RDF_TYPE, n(f"{ONT}Quota")),
        (f"{ONT}scope", lit("group")),
        (f"{ONT}year", lit("2024", datatype=integer)),
        (f"{ONT}batch", lit("annual")),
        (f"{ONT}quotaType", n(f"{ONT}smeltingSeparation")),
        (f"{ONT}holder", n(CREG)),
        (f"{ONT}tonnesREO", lit("1.0", datatype=decimal)),  # illustrative test value
        (f"{ONT}source", n(f"{ID}source/illustrative-test")),
    ]:
        assert isinstance(o, ox.NamedNode | ox.Literal)
        out.append(ox.Quad(n(QUOTA), n(p), o, quotas))
    for i in range(BULK_SOURCES):
        source = n(f"{ID}source/s{i:03d}")
        out.append(ox.Quad(source, n(RDF_TYPE), n(f"{ONT}Source"), bulk))
    return out


def build_release(
    graph_dir: Path, release_id: str = "r1", items: list[ox.Quad] | None = None
) -> Path:
    """Write a complete release (dataset.nq, graphs/*.ttl, manifest, store) and activate it."""
    items = quads() if items is None else items
    release = graph_dir / RELEASES / release_id
    (release / "graphs").mkdir(parents=True)
    ox.serialize(items, release / DATASET, format=ox.RdfFormat.N_QUADS)
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in items:
        assert isinstance(q.graph_name, ox.NamedNode)
        by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    for iri, triples in by_graph.items():
        name = iri.rsplit("/", 1)[-1]
        ox.serialize(triples, release / "graphs" / f"{name}.ttl", format=ox.RdfFormat.TURTLE)
    store = ox.Store(str(release / STORE))
    store.bulk_load(path=release / DATASET, format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    (release / "void.ttl").write_text(
        f"<{GRAPH}> a <http://rdfs.org/ns/void#Dataset> .\n", encoding="utf-8"
    )
    manifest = {  # the shape etl/graph/build.py writes
        "release_id": release_id,
        "created_at": "2026-01-01T00:00:00Z",
        "graphs": {
            iri.rsplit("/", 1)[-1]: {"iri": iri, "triples": len(t)} for iri, t in by_graph.items()
        },
        "triples": len(items),
    }
    (release / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    activate_release(graph_dir, release)
    return release


# Illustrative test rows only (source_id 'illustrative-test'), shaped like the real marts.
WAREHOUSE_DDL = (
    "CREATE SCHEMA marts",
    "CREATE TABLE marts.quota_by_holder AS SELECT * FROM (VALUES "
    "(2024, 'annual', 'smelting_separation', 'all', 'china-northern-rare-earth', "
    "  'China Northern Rare Earth', "
    "  130000.0, 0.6, 0.6, false, 'illustrative-test', 'illustrative'), "
    "(2024, 'annual', 'smelting_separation', 'all', 'china-rare-earth-group', "
    "  'China Rare Earth Group', "
    "  90000.0, 0.4, 0.4, false, 'illustrative-test', 'illustrative')) "
    "t(year, batch, quota_type, ore_type, holder_id, holder_name, tonnes_reo, share_of_batch, "
    "  share_of_ore_type, is_derived, source_id, source_kind)",
    "CREATE TABLE marts.quota_concentration AS SELECT * FROM (VALUES "
    "(2024, 'annual', 'smelting_separation', 'holder', 2, 220000.0, 220000.0, "
    "  'national_total', 0.6, 'china-northern-rare-earth', 5200.0, true)) "
    "t(year, batch, quota_type, dimension, n, members_total, national_total, share_basis, "
    "  top1_share, top1_member, hhi, split_complete)",
    "CREATE TABLE marts.world_production AS SELECT * FROM (VALUES "
    "('MCS2024', 'CHN', 'China', 2023, 240000.0, 0.69, 'illustrative-test'), "
    "('MCS2024', 'USA', 'United States', 2023, 43000.0, 0.12, 'illustrative-test')) "
    "t(edition, country_iso3, country_name, year, tonnes_reo, share_of_world, source_id)",
    "CREATE TABLE marts.reallocation_ledger AS SELECT * FROM (VALUES "
    "('E1', DATE '2024-06-01', 'CN-JX', 'smelting_separation', 'holder', 'A', 'Holder A', "
    "  100.0, -10.0, 90.0, 'illustrative-test'), "
    "('E1', DATE '2024-06-01', 'CN-JX', 'smelting_separation', 'holder', 'B', 'Holder B', "
    "  50.0, 10.0, 60.0, 'illustrative-test')) "
    "t(event_id, effective_date, province_id, quota_type, row_kind, holder_id, holder_name, "
    "  before_t, change_t, after_t, source_id)",
)


def build_warehouse(path: Path) -> Path:
    """A small warehouse with the marts the documented examples query."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        for statement in WAREHOUSE_DDL:
            con.execute(statement)
    finally:
        con.close()
    return path
