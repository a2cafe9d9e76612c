"""Synthetic stays out: trade rows citing a source of kind `synthetic` never enter a graph
release (here: a tiny warehouse with one real and one synthetic flow)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import rdflib

from etl.graph.build import build_release
from tests.graph.data import make_tiny_warehouse

SYNTHETIC = """
INSERT INTO core.sources VALUES ('synthetic-trade', 'Synthetic BACI (test)', 'reekg project',
  NULL, '2024-01-01', 'synthetic', 'Apache-2.0', NULL);
INSERT INTO core.trade_flows VALUES
 ('trade.baci', '2021', 2021, NULL, '2021', 'A', NULL, NULL, 'CHN', 'USA', 'export',
  'reconciled', true, false, '280530', 'HS2017', 99.0, 999999.0, 'r1', 'synthetic-trade',
  'landing/trade/baci/BACI_HS17_Y2021_V202401.csv', 2, 999999.0, 'USD', NULL, 'hs6', true);
"""


def test_synthetic_flows_are_not_in_the_release(tmp_path: Path) -> None:
    warehouse = make_tiny_warehouse(tmp_path / "w.duckdb", extra_sql=SYNTHETIC)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.trade_flows").fetchall() == [(2,)]
        built = build_release(con, tmp_path / "graph")
    dataset = rdflib.Dataset()
    dataset.parse(built.release_dir / "dataset.nq", format="nquads")
    values = {float(str(o)) for _, p, o, _ in dataset.quads() if str(p).endswith("valueUSD")}
    assert 1234567.89 in values  # the real flow is there
    assert 999999.0 not in values
    assert not any(name.startswith("trade-baci") for name in built.triples_by_graph)
