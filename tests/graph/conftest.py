"""Fixtures of the graph tests: a tiny warehouse and a release built from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.graph.build import BuildResult, build_release
from tests.graph.data import make_tiny_warehouse


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    return make_tiny_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """A release of the tiny warehouse (built once per module; tests must not modify it)."""
    root = tmp_path_factory.mktemp("tiny")
    warehouse = make_tiny_warehouse(root / "warehouse.duckdb")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return build_release(con, root / "graph", warehouse_path=str(warehouse))
    finally:
        con.close()
