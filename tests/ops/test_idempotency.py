"""Materializing the same partitions twice gives identical tables and an isomorphic graph."""

from __future__ import annotations

from tests.ops.conftest import Baseline
from tests.ops.helpers import (
    assert_isomorphic_releases,
    graph_release,
    run_headless_ok,
    table_hashes,
)


def test_second_run_gives_identical_tables_and_isomorphic_graph(baseline: Baseline) -> None:
    settings = baseline.dep.settings
    first_release = graph_release(settings.graph_dir)
    first = table_hashes(settings.published_warehouse)
    assert first["core.quotas"][0] > 0 and first["marts.quota_by_holder"][0] > 0
    assert first["core.production"][0] > 0

    run_headless_ok(baseline.dep)

    second = table_hashes(settings.published_warehouse)
    changed = {
        t: (first.get(t), second.get(t))
        for t in first.keys() | second.keys()
        if first.get(t) != second.get(t)
    }
    assert not changed, f"tables differ after a rerun (rows, md5): {changed}"
    assert table_hashes(settings.warehouse) == second
    second_release = graph_release(settings.graph_dir)
    assert second_release != first_release, "the rerun should publish a new graph release"
    assert_isomorphic_releases(first_release, second_release)
