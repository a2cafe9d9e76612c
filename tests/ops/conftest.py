"""Fixtures of the ops tests: one deployment materialized once, shared by the tests that rerun,
crash and race it (each of them leaves it materialized again)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.helpers import (
    Deployment,
    deployment,
    file_sha256,
    graph_release,
    run_headless_ok,
    table_hashes,
)


@dataclass(frozen=True)
class Baseline:
    """A materialized deployment and what its first run produced."""

    dep: Deployment
    tables: dict[str, tuple[int, str]]
    release: Path

    def published_sha(self) -> str:
        return file_sha256(self.dep.settings.published_warehouse)


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    dep = deployment(tmp_path_factory.mktemp("ops-baseline"))
    run_headless_ok(dep)
    return Baseline(
        dep, table_hashes(dep.settings.published_warehouse), graph_release(dep.settings.graph_dir)
    )
