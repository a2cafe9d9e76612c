"""Fixtures of the command-line tests: the query domain's tiny release and warehouse, and a
REEKG_HOME of one's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import Result

from tests.query.conftest import graph_dir, warehouse

__all__ = ["graph_dir", "warehouse"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty REEKG_HOME with its own DAGSTER_HOME."""
    for var in ("REEKG_PUBLISHED_WAREHOUSE", "REEKG_GRAPH_DIR", "REEKG_WAREHOUSE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REEKG_HOME", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    return tmp_path


@pytest.fixture
def published_home(
    home: Path, graph_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("REEKG_PUBLISHED_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("REEKG_GRAPH_DIR", str(graph_dir))
    return home


def one_line_error(result: Result, code: int = 1) -> str:
    """The single `reekg: error:` line of a failed command (no traceback)."""
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reekg: error: "), result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])
