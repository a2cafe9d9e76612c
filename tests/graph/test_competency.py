"""Competency questions (ontology/queries/*.rq) answered on the graph of the bundled data.

The graph comes from the session's full pipeline run (tests/conftest.py), so these tests also
show that the published graph and the published warehouse tell the same story.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyoxigraph as ox
import pytest

from etl.cli.run import RunSummary
from etl.graph.store import open_published_store
from etl.graph.vocab import QUERIES_DIR
from etl.settings import BUNDLED_DATA, Settings

ID = "https://w3id.org/reekg/id/"


@pytest.fixture(scope="module")
def graph_store(pipeline: tuple[Settings, RunSummary]) -> ox.Store:
    settings, summary = pipeline
    assert "graph/release_candidate:shacl_conforms" in summary.checks_passed
    return open_published_store(settings.graph_dir)


def run(store: ox.Store, name: str, replace: dict[str, str] | None = None) -> list[dict[str, Any]]:
    text = (QUERIES_DIR / name).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def test_every_query_file_has_a_test() -> None:
    names = {p.name for p in Path(QUERIES_DIR).glob("*.rq")}
    # a domain may test its query beside its other tests (q12: tests/risk/test_graph.py)
    tests = Path(__file__).parents[1].rglob("test_*.py")
    source = "".join(p.read_text(encoding="utf-8") for p in tests)
    assert names and all(name in source for name in names)


def test_q1_smelting_share_2023_batch_1(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q1_smelting_share_by_holder.rq")
    shares = {
        r["holder"].removeprefix(f"{ID}org/"): (r["tonnes"], r["nationalTonnes"]) for r in rows
    }
    assert shares == {
        "china-northern-rare-earth": ("73403", "115000"),
        "china-rare-earth-group": ("33304", "115000"),
        "guangdong-rare-earth": ("6037", "115000"),
        "xiamen-tungsten": ("2256", "115000"),
    }
    assert Decimal(rows[0]["share"]) == pytest.approx(Decimal(73403) / Decimal(115000))
    assert sum(Decimal(r["share"]) for r in rows) == pytest.approx(Decimal(1))
    assert rows[0]["source"] == f"{ID}source/horizon-2023-b1"


def test_q1_other_year_and_batch(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q1_smelting_share_by_holder.rq", {'(2023 "1")': '(2023 "3")'})
    assert {r["holder"]: r["tonnes"] for r in rows} == {
        f"{ID}org/china-northern-rare-earth": "11000",
        f"{ID}org/china-rare-earth-group": "2850",
    }


def test_q2_reallocations_conserve_the_province_total(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q2_reallocation_ledger.rq")
    first = [r for r in rows if r["reallocation"].endswith("jx-illustrative-2024-01")]
    nets = {r["holder"].removeprefix(f"{ID}org/jx-illustrative-"): r["net"] for r in first}
    assert nets == {"separator-a": "1300", "separator-b": "-500", "separator-c": "-800"}
    gained = [r["holder"] for r in first if Decimal(r["gained"]) > 0]
    assert gained == [f"{ID}org/jx-illustrative-separator-a"]
    assert {r["reallocation"].rsplit("/", 1)[1] for r in rows} == {
        "jx-illustrative-2024-01", "jx-illustrative-2025-01",
        "JX-CR-2025-1", "JX-CR-2025-2", "JX-CR-2025-3",
    }  # fmt: skip
    for r in rows:
        assert r["provinceChange"] == "0" and r["conserved"] == "true"
        if r["illustrative"] == "true":
            assert r["provinceBefore"] == r["provinceAfter"] == "10000"
        else:  # real plans: firms' capacities are not published, so no before/after
            assert r["provinceBefore"] is None and r["provinceAfter"] is None


def test_q2_jiangxi_replacement_matches_the_sql_ledger(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = [
        r for r in run(graph_store, "q2_reallocation_ledger.rq") if r["illustrative"] == "false"
    ]
    sparql = {
        (r["reallocation"].rsplit("/", 1)[1], r["holder"].removeprefix(f"{ID}org/")): Decimal(
            r["net"]
        )
        for r in rows
    }
    sql = {
        (event, holder): Decimal(str(net))
        for event, holder, net in published.execute(
            "SELECT event_id, holder_id, sum(change_t) FROM marts.reallocation_ledger "
            "WHERE row_kind = 'holder' AND NOT is_illustrative GROUP BY ALL"
        ).fetchall()
    }
    assert sparql == sql
    assert sparql[("JX-CR-2025-1", "ganzhou-re-longnan-smelting")] == 2500
    longnan = next(r for r in rows if r["holder"].endswith("ganzhou-re-longnan-smelting"))
    assert (longnan["newCapacity"], longnan["ownReplaced"]) == ("5500", "3000")
    assert {r["planStatedTotal"] for r in rows} == {"11172"}
    projects = {r["reallocation"]: Decimal(r["newCapacity"]) for r in rows}
    assert sum(projects.values()) == 14172


def test_q8_elements_under_control_match_the_sql_tables(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q8_elements_under_control.rq")
    sparql = {(r["control"].rsplit("/", 1)[1], r["symbol"]) for r in rows}
    sql = set(
        published.execute(
            "SELECT DISTINCT event_id, element_symbol FROM core.export_control_items"
        ).fetchall()
    )
    assert sparql == sql
    assert {s for c, s in sparql if c == "CN-MOFCOM-2025-18"} == {
        "Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y",
    }  # fmt: skip
    suspended = {r["control"].rsplit("/", 1)[1]: r["suspendedUntil"] for r in rows}
    assert suspended["CN-MOFCOM-2025-57"] == "2026-11-10"
    assert suspended["CN-MOFCOM-2025-18"] is None


def test_q9_controlled_heading_imports_match_the_sql_mart(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q9_controlled_heading_imports.rq")
    sparql = {
        (
            r["buyer"].rsplit("/", 1)[1],
            int(r["year"]),
            r["heading"].rsplit("/", 1)[1],
            r["currency"],
        ): (Decimal(r["importsFromChina"]), r["inForce"] == "true")
        for r in rows
    }
    # EU27 is a buyer of the marts only (the graph's buyers are countries)
    sql = {
        (buyer, year, hs6, currency): (Decimal(str(value)), control is not None)
        for buyer, year, hs6, currency, value, control in published.execute(
            "SELECT buyer, year, hs6, currency, sum(imports_from_china), "
            "max(control_event_id) FROM marts.controlled_trade WHERE reporter_side = 'importer' "
            "AND buyer <> 'EU27' GROUP BY ALL"
        ).fetchall()
    }
    # SQL sums doubles (DEU's EUR rows have decimals), SPARQL sums decimals exactly
    assert set(sparql) == set(sql) and len(sql) > 0
    for key, (value, in_force) in sql.items():
        assert sparql[key][1] == in_force
        assert float(sparql[key][0]) == pytest.approx(float(value), rel=1e-12)
    assert sparql[("USA", 2018, "280530", "USD")] == (Decimal(6081534), False)
    assert ("DEU", 2023, "280530", "EUR") in sparql


def test_q10_capacity_outside_china_matches_the_sql_mart(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q10_capacity_outside_china_by_stage.rq")
    sparql = {
        (r["country"].rsplit("/", 1)[1], r["stage"], r["unit"], r["basis"]): (
            Decimal(r["capacity"]),
            int(r["facilities"]),
        )
        for r in rows
    }
    sql = {
        (c, s, u, b): (Decimal(str(v)), n)
        for c, s, u, b, v, n in published.execute(
            "SELECT country_iso3, stage, capacity_unit, basis, capacity, facilities "
            "FROM marts.capacity_by_stage WHERE outside_china"
        ).fetchall()
    }
    assert sparql == sql
    assert sparql[("USA", "magnet", "t magnets", "nameplate")] == (Decimal(3000), 2)


def test_q3_buyer_exposure_matches_the_sql_mart(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q3_buyer_china_exposure.rq")
    first = rows[0]
    assert first["year"] == "2018"
    assert Decimal(first["chinaShare"]) == pytest.approx(Decimal(6081534) / Decimal(7915298))
    assert first["province"] == f"{ID}province/CN-NM"
    mart = published.sql(
        "SELECT year, holder_id, province_id, quota_year, holder_share, value_usd_apportioned "
        "FROM marts.buyer_exposure_chain WHERE buyer = 'USA' AND hs_code = '280530'"
    ).fetchall()
    sparql = {(int(r["year"]), r["holder"].removeprefix(f"{ID}org/")): r for r in rows}
    assert len(mart) == len(sparql) > 0
    for year, holder, province, quota_year, share, apportioned in mart:
        row = sparql[(year, holder)]
        assert row["province"] == f"{ID}province/{province}"
        assert int(row["quotaYear"]) == quota_year
        assert float(row["holderShare"]) == pytest.approx(share, rel=1e-9)
        assert float(row["apportionedUSD"]) == pytest.approx(apportioned, rel=1e-9)


def test_q4_succession(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q4_succession.rq")
    pairs = {(r["predecessor"].rsplit("/", 1)[1], r["successor"].rsplit("/", 1)[1], r["since"])
             for r in rows}  # fmt: skip
    assert pairs == {
        ("china-southern-rare-earth", "china-rare-earth-group", "2021-12-23"),
        ("chinalco-rare-earth", "china-rare-earth-group", "2021-12-23"),
        ("minmetals-rare-earth", "china-rare-earth-group", "2021-12-23"),
        ("ganzhou-re-mineral-industry", "ganzhou-rare-earth-group", "2013-03-30"),
        # folds into CREG: the day is not published (core.organisation_events.date_as_published)
        ("xiamen-tungsten", "china-rare-earth-group", "2023-09-01"),
        ("guangdong-rare-earth", "china-rare-earth-group", "2023-12-31"),
    }


def test_q5_sources_behind_a_figure(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q5_sources_of_figure.rq")
    assert len(rows) == 1
    row = rows[0]
    assert row["source"] == f"{ID}source/horizon-2023-b1"
    assert row["kind"] == "press_report"
    assert row["url"].startswith("https://www.horizonmagnets.com/")
    assert row["file"].endswith("china_re_quotas_2015_2023.csv") and int(row["row"]) > 1
    assert row["graph"] == "https://w3id.org/reekg/graph/capacity-quotas"
    assert row["run"].startswith(f"{ID}run/") and row["builtAt"]


def test_q5_works_for_a_production_figure(graph_store: ox.Store) -> None:
    figure = graph_store.query(
        "SELECT ?f WHERE { GRAPH ?g { ?f a <https://w3id.org/reekg/ontology#Production> ; "
        "<https://w3id.org/reekg/ontology#country> <https://w3id.org/reekg/id/country/CHN> ; "
        '<https://w3id.org/reekg/ontology#edition> "2024" } } LIMIT 1'
    )
    assert isinstance(figure, ox.QuerySolutions)
    iri = next(iter(figure))["f"].value
    rows = run(
        graph_store,
        "q5_sources_of_figure.rq",
        {f"<{ID}quota/2023-1-smelting_separation-all-china-rare-earth-group>": f"<{iri}>"},
    )
    assert [r["source"] for r in rows] == [f"{ID}source/usgs-mcs2024-rare-earths"]
    assert rows[0]["kind"] == "official"


def test_q6_china_share_of_world_mine_production(graph_store: ox.Store) -> None:
    rows = run(graph_store, "q6_china_share_world_production.rq")
    by_year = {r["year"]: r for r in rows}
    assert (by_year["2023"]["chinaTonnes"], by_year["2023"]["worldTonnes"]) == ("240000", "350000")
    assert Decimal(by_year["2023"]["share"]) == pytest.approx(Decimal(240000) / Decimal(350000))
    assert by_year["2023"]["worldIsRounded"] == "true"
    assert by_year["2023"]["chinaSource"] == f"{ID}source/usgs-mcs2024-rare-earths"


def test_q7_china_share_by_edition_with_revisions_matches_sql(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q7_china_share_by_edition_with_revisions.rq")
    sparql = {
        (r["edition"], int(r["year"])): (
            float(r["chinaTonnes"]),
            float(r["share"]),
            r["previousEdition"],
            None if r["previousTonnes"] is None else float(r["previousTonnes"]),
            None if r["change"] is None else float(r["change"]),
        )
        for r in rows
    }
    sql = {
        (edition, year): (tonnes, share, previous_edition, previous, change)
        for edition, year, tonnes, share, previous_edition, previous, change in published.sql(
            "SELECT edition, year, tonnes_reo, share_of_world, previous_edition, "
            "previous_tonnes_reo, change_t FROM marts.production_revisions "
            "WHERE country_iso3 = 'CHN'"
        ).fetchall()
    }
    assert set(sparql) == set(sql) and {e for e, _ in sql} == {"2022", "2023", "2024"}
    for key, (tonnes, share, previous_edition, previous, change) in sql.items():
        assert sparql[key][0] == tonnes and sparql[key][2:] == (previous_edition, previous, change)
        assert sparql[key][1] == pytest.approx(share, rel=1e-12)
    # MCS2023 and MCS2024 both give China 2022 as 210,000 t: no revision
    assert sparql[("2024", 2022)][2:] == ("2023", 210000.0, 0.0)


def test_provenance_names_the_bundled_files_with_checksums(graph_store: ox.Store) -> None:
    result = graph_store.query(
        "PREFIX ree: <https://w3id.org/reekg/ontology#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?path ?sha WHERE { GRAPH <https://w3id.org/reekg/graph/provenance> { "
        "<https://w3id.org/reekg/graph/capacity-quotas> prov:wasDerivedFrom ?f . "
        "?f ree:path ?path ; ree:sha256 ?sha } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    files = {row["path"].value: row["sha"].value for row in result}
    quota_csv = BUNDLED_DATA / "capacity" / "china_re_quotas_2015_2023.csv"
    assert (
        files["data/capacity/china_re_quotas_2015_2023.csv"]
        == hashlib.sha256(quota_csv.read_bytes()).hexdigest()
    )


def test_q11_buyers_china_share_by_code_year_matches_sql(
    graph_store: ox.Store, published: duckdb.DuckDBPyConnection
) -> None:
    rows = run(graph_store, "q11_buyers_china_share_by_code_year.rq")
    sparql = {
        (
            r["buyer"].removeprefix(f"{ID}country/"),
            r["commodity"].removeprefix(f"{ID}commodity/"),
            int(r["year"]),
            r["currency"],
        ): (float(r["importsValue"]), float(r["chinaShare"]), r["isComplete"] == "true")
        for r in rows
    }
    sql = {
        (buyer, code, year, currency): (total, share, complete)
        for buyer, code, year, currency, total, share, complete in published.sql(
            "SELECT DISTINCT buyer, hs_code, year, currency, buyer_value, china_share_value, "
            "is_complete FROM marts.buyer_supplier_shares "
            "WHERE buyer IN ('DEU', 'FRA', 'USA', 'JPN')"
        ).fetchall()
    }
    assert set(sparql) == set(sql)
    assert {b for b, *_ in sql} == {"DEU", "FRA", "USA", "JPN"}
    assert {c for _, _, _, c in sql} == {"EUR", "USD"}
    for key, (total, share, complete) in sql.items():
        assert sparql[key][0] == pytest.approx(total, rel=1e-12)
        assert sparql[key][1] == pytest.approx(share, rel=1e-12)
        assert sparql[key][2] == complete
    assert sparql[("JPN", "2846", 2023, "USD")][2] is False
