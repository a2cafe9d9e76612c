"""Publishing: a valid release is activated; a planted bad record blocks it; files parse back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import VOID

from etl.graph import store
from etl.graph.assets import release_candidate
from etl.graph.build import VOID_FILE, build_release
from etl.graph.checks import shacl_conforms
from etl.graph.validate import validate_release
from etl.graph.vocab import entity
from etl.publish.release import release_asset
from etl.resources import build_resources
from etl.settings import Settings
from tests.graph.data import make_tiny_warehouse

BAD_QUOTA = "2023-1-smelting_separation-all-group-china-rare-earth-group"
PLANT_NEGATIVE = f"UPDATE core.quotas SET tonnes_reo = -5 WHERE quota_id = '{BAD_QUOTA}'"
published = release_asset([])  # the release step: graph/published + publish/warehouse
PLANT_NO_SOURCE = "UPDATE core.production SET source_id = NULL WHERE country_iso3 = 'CHN'"


def run_graph_assets(settings: Settings) -> dg.ExecuteInProcessResult:
    os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster"))
    return dg.materialize(
        [release_candidate, published, shacl_conforms],
        resources=build_resources(settings),
        raise_on_error=False,
    )


def check_result(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 1
    return evaluations[0]


def published_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        if e.asset_key is not None
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings.under(tmp_path / "home")
    settings.home.mkdir(parents=True)
    return settings


def test_valid_release_is_published_and_parses_back(settings: Settings) -> None:
    make_tiny_warehouse(settings.warehouse)
    result = run_graph_assets(settings)
    assert check_result(result).passed
    assert published_keys(result) == {
        "graph/release_candidate",
        "graph/published",
        "publish/warehouse",
    }
    manifest = store.read_manifest(settings.graph_dir)
    release = store.current_release(settings.graph_dir)
    assert release == store.candidate_or_none(settings.graph_dir)

    # dataset.nq: every quad once, as many as the manifest reports
    ds = Dataset()
    ds.parse(release / store.DATASET, format="nquads")
    assert len(ds) == manifest["triples"] == manifest["quads_written"]
    # one Turtle file per named graph, each with its reported count
    for name, info in manifest["graphs"].items():
        g = Graph().parse(release / info["file"], format="turtle")
        assert len(g) == info["triples"], name
    # VoID agrees too
    void = Graph().parse(release / VOID_FILE, format="turtle")
    ds_iri = entity("release", manifest["release_id"])
    assert void.value(ds_iri, VOID.triples) == Literal(manifest["triples"])
    # and readers see the same store
    reader = store.open_published_store(settings.graph_dir)
    assert len(reader) == manifest["triples"]


@pytest.mark.parametrize(
    ("plant", "focus"),
    [
        (PLANT_NEGATIVE, f"https://w3id.org/reekg/id/quota/{BAD_QUOTA}"),
        (PLANT_NO_SOURCE, "https://w3id.org/reekg/id/production/MCS2024-CHN-2023"),
    ],
    ids=["negative-tonnes", "figure-without-source"],
)
def test_bad_record_blocks_publishing(settings: Settings, plant: str, focus: str) -> None:
    make_tiny_warehouse(settings.warehouse)
    first = run_graph_assets(settings)
    assert check_result(first).passed
    good_release = store.current_release(settings.graph_dir)

    con = duckdb.connect(str(settings.warehouse))
    con.execute(plant)
    con.close()
    result = run_graph_assets(settings)
    evaluation = check_result(result)
    assert not evaluation.passed
    assert focus in evaluation.metadata["failing_focus_nodes"].value  # type: ignore[operator]
    # the candidate was built but not published: readers still see the good release
    assert "graph/published" not in published_keys(result)
    assert store.candidate_or_none(settings.graph_dir) != good_release
    assert store.current_release(settings.graph_dir) == good_release


def test_published_refuses_an_unvalidated_candidate(settings: Settings) -> None:
    make_tiny_warehouse(settings.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster"))
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    built = build_release(con, settings.graph_dir)
    con.close()
    store.set_candidate(settings.graph_dir, built.release_dir)
    result = dg.materialize([published], resources=build_resources(settings), raise_on_error=False)
    assert not result.success
    assert store.current_or_none(settings.graph_dir) is None


def test_missing_trade_tables_are_skipped(tmp_path: Path) -> None:
    warehouse = make_tiny_warehouse(tmp_path / "w.duckdb", trade=False)
    con = duckdb.connect(str(warehouse), read_only=True)
    built = build_release(con, tmp_path / "graph")
    con.close()
    assert "core.trade_flows" in built.skipped_tables
    assert not any(name.startswith("trade-") for name in built.triples_by_graph)
    assert validate_release(built.release_dir).conforms


def test_large_release_validation_finds_a_planted_record(tmp_path: Path) -> None:
    """Above the pySHACL limit the shapes run as SPARQL on the store, on every focus node."""
    warehouse = make_tiny_warehouse(tmp_path / "w.duckdb", extra_sql=PLANT_NEGATIVE)
    con = duckdb.connect(str(warehouse), read_only=True)
    built = build_release(con, tmp_path / "graph")
    con.close()
    report = validate_release(built.release_dir, full_limit=0)
    assert (report.mode, report.engine) == ("full", "sparql (oxigraph)")
    assert not report.conforms
    assert f"https://w3id.org/reekg/id/quota/{BAD_QUOTA}" in report.focus_nodes
    verdict = json.loads((built.release_dir / "validation.json").read_text())
    assert verdict["conforms"] is False
