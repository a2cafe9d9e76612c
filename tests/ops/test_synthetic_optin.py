"""Synthetic stays out of the published graph unless opted in; opted in, every synthetic flow
carries `ree:isSynthetic true` and the competency queries still leave it out.

The synthetic BACI file README suggests is landed (`python -m etl.trade.synthetic baci --rows
1000`), plus one synthetic China -> USA flow of HS 280530 so that q3 (the USA's exposure to
China for 280530) would change if it counted synthetic flows. One pipeline run without the
graph groups, then two releases built from the same warehouse: default and opted in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyoxigraph as ox
import pytest

from etl.cli.run import materialize_all
from etl.graph import store as published
from etl.graph.build import BuildResult, build_release
from etl.graph.validate import validate_release
from etl.graph.vocab import QUERIES_DIR
from etl.settings import BUNDLED_DATA, Settings

SYNTHETIC_FILTER = "      FILTER NOT EXISTS { GRAPH ?gf { ?flow ree:isSynthetic true } }"
ADDED_VALUE = 987654321.0  # the synthetic China -> USA 280530 flow, thousand USD in BACI
FLOWS = "PREFIX ree: <https://w3id.org/reekg/ontology#> SELECT (COUNT(?f) AS ?n) WHERE {{ GRAPH ?g {{ ?f a ree:TradeFlow {extra} }} }}"  # noqa: E501


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    settings = Settings.under(tmp_path_factory.mktemp("synthetic") / "home", data_dir=BUNDLED_DATA)
    out = settings.landing_dir / "trade" / "baci"
    made = subprocess.run(
        [sys.executable, "-m", "etl.trade.synthetic", "baci", "--rows", "1000", "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    path = Path(made.stdout.strip().splitlines()[-1])
    rows = pl.read_csv(path, infer_schema=False)
    key = (rows["i"] == "156") & (rows["j"] == "842") & (rows["k"] == "280530")
    assert not key.any()  # the added flow is a new key
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"2023,156,842,280530,{ADDED_VALUE},1000\n")
    past = time.time() - 60
    os.utime(path, (past, past))
    summary = materialize_all(
        settings,
        selection="not group:graph and not group:report and not group:publish and not group:query",
    )
    assert summary.success, summary.failures + summary.failed_steps
    return settings, path


@pytest.fixture(scope="module")
def releases(warehouse: tuple[Settings, Path]) -> dict[bool, BuildResult]:
    settings, _ = warehouse
    built = {}
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for opt_in in (False, True):
            built[opt_in] = build_release(
                con, settings.home / f"graph-{opt_in}", include_synthetic=opt_in
            )
    return built


def store_of(result: BuildResult) -> ox.Store:
    return ox.Store.read_only(str(result.release_dir / published.STORE))


def q3(store: ox.Store, text: str | None = None) -> list[dict[str, Any]]:
    query = text or (QUERIES_DIR / "q3_buyer_china_exposure.rq").read_text(encoding="utf-8")
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def count(store: ox.Store, extra: str = "") -> int:
    result = store.query(FLOWS.format(extra=extra))
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_synthetic_rows_landed_in_core_but_not_in_the_default_graph(
    warehouse: tuple[Settings, Path], releases: dict[bool, BuildResult]
) -> None:
    settings, path = warehouse
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        kinds = dict(
            con.execute(
                "SELECT s.kind = 'synthetic', count(*) FROM core.trade_flows f "
                "JOIN core.sources s USING (source_id) GROUP BY 1"
            ).fetchall()
        )
    landed = pl.read_csv(path, infer_schema=False)
    assert kinds[True] > 0 and kinds[True] <= landed.height  # rare-earth codes of the file
    default = store_of(releases[False])
    assert count(default) == kinds[False]
    assert count(default, "; ree:isSynthetic true") == 0
    assert not any(name.startswith("trade-baci") for name in releases[False].triples_by_graph)


def test_opted_in_flows_carry_the_flag_and_q3_still_leaves_them_out(
    warehouse: tuple[Settings, Path], releases: dict[bool, BuildResult]
) -> None:
    settings, _ = warehouse
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        [(synthetic,)] = con.execute(
            "SELECT count(*) FROM core.trade_flows f JOIN core.sources s USING (source_id) "
            "WHERE s.kind = 'synthetic'"
        ).fetchall()
        [(real,)] = con.execute(
            "SELECT count(*) FROM core.trade_flows f JOIN core.sources s USING (source_id) "
            "WHERE s.kind <> 'synthetic'"
        ).fetchall()
    opted = store_of(releases[True])
    assert count(opted, "; ree:isSynthetic true") == synthetic
    assert count(opted) == synthetic + real

    default_rows = q3(store_of(releases[False]))
    opted_rows = q3(opted)
    assert default_rows and opted_rows == default_rows
    assert all("trade-baci" not in str(r["dataset"]) for r in opted_rows)
    # The filter is what keeps them out: without it the synthetic flow shows up in q3.
    text = (QUERIES_DIR / "q3_buyer_china_exposure.rq").read_text(encoding="utf-8")
    assert SYNTHETIC_FILTER in text
    unfiltered = q3(opted, text.replace(SYNTHETIC_FILTER, ""))
    baci = [r for r in unfiltered if "trade-baci" in str(r["dataset"])]
    assert ADDED_VALUE * 1000 in {float(r["chinaUSD"]) for r in baci}

    report = validate_release(releases[True].release_dir, full_limit=0)
    assert report.conforms, report.messages[:5]
