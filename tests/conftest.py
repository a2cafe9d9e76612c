"""Shared fixtures: one full pipeline run on the bundled data, in a temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.cli.run import RunSummary, materialize_all
from etl.settings import BUNDLED_DATA, Settings


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, RunSummary]:
    """Everything materialized once on the bundled data under a temporary REEKG_HOME."""
    home = tmp_path_factory.mktemp("reekg")
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    settings = Settings.under(home)
    summary = materialize_all(settings)
    return settings, summary


@pytest.fixture(scope="session")
def published(pipeline: tuple[Settings, RunSummary]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse of the session run."""
    settings, _ = pipeline
    con = duckdb.connect(str(settings.published_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled data folder that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, target)
    return target
