"""The supply-risk observations in the graph: q12 (which elements are most at risk for a buyer,
and why) gives the SQL mart's answer, and every observation names its inputs' sources."""

from __future__ import annotations

import duckdb
import pyoxigraph as ox
import pytest

from etl.cli.run import RunSummary
from etl.graph.store import open_published_store
from etl.graph.vocab import QUERIES_DIR
from etl.settings import Settings

QUERY = "q12_elements_most_at_risk_for_buyer.rq"
ID = "https://w3id.org/reekg/id/"
STAGES = {"extraction": "extractionStage", "processing": "processingStage"}
RANKING_SQL = """
SELECT element_symbol, stage, sourcing_basis, proxy_hs_code, trade_year, supply_risk,
       largest_term, top_supplier_iso3
FROM marts.supply_risk
WHERE importer = ? AND variant = 'baseline' AND supply_risk IS NOT NULL
  AND element_symbol IS NOT NULL
  AND (trade_year IS NULL OR trade_year = (
      SELECT max(trade_year) FROM marts.supply_risk WHERE importer = ?))
ORDER BY supply_risk DESC, element_symbol, stage, proxy_hs_code
"""


@pytest.fixture(scope="module")
def store(pipeline: tuple[Settings, RunSummary]) -> ox.Store:
    settings, summary = pipeline
    assert "graph/release_candidate:shacl_conforms" in summary.checks_passed
    return open_published_store(settings.graph_dir)


def ranking(store: ox.Store, country: str) -> list[tuple]:
    text = (QUERIES_DIR / QUERY).read_text(encoding="utf-8")
    text = text.replace(f"{ID}country/USA", f"{ID}country/{country}")
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        value: dict[str, str] = {
            v.value: (row[v].value if row[v] is not None else "") for v in result.variables
        }
        out.append(
            (
                value["element"].removeprefix(f"{ID}element/"),
                value["stage"].rsplit("#", 1)[1],
                value["sourcingBasis"],
                value["commodity"].removeprefix(f"{ID}commodity/") or None,
                int(value["year"]) if value["year"] else None,
                float(value["supplyRisk"]),
                value["largestTerm"],
                value["topSupplier"].removeprefix(f"{ID}country/") or None,
            )
        )
    return out


@pytest.mark.parametrize(("importer", "country"), [("USA", "USA"), ("EU27", "EUU")])
def test_q12_ranks_a_buyers_elements_as_sql_does(
    store: ox.Store, published: duckdb.DuckDBPyConnection, importer: str, country: str
) -> None:
    expected = [
        (e, STAGES[s], b, hs, y, sr, term, top)
        for e, s, b, hs, y, sr, term, top in published.execute(
            RANKING_SQL, [importer, importer]
        ).fetchall()
    ]
    assert expected
    found = ranking(store, country)

    def keyed(rows: list[tuple]) -> list[tuple]:
        return sorted((r[:5] + r[6:], r[5]) for r in rows)

    assert [k for k, _ in keyed(found)] == [k for k, _ in keyed(expected)]
    for (_, got), (_, want) in zip(keyed(found), keyed(expected), strict=True):
        assert got == pytest.approx(want, abs=1e-5)  # graph decimals carry 6 places
    # ranked: the first row carries the highest risk
    assert found[0][5] == pytest.approx(max(r[5] for r in expected), abs=1e-5)


def test_an_observation_names_the_sources_of_its_inputs(store: ox.Store) -> None:
    key = "2023-EU27-baseline-eu_assessment-Dy-processing"
    result = store.query(
        "PREFIX ree: <https://w3id.org/reekg/ontology#> SELECT ?s ?e WHERE { GRAPH ?g { "
        f"<{ID}supply-risk/{key}> ree:inputSource ?s ; ree:riskElement ?e }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = [(r["s"].value, r["e"].value) for r in result]
    sources = {s.removeprefix(f"{ID}source/") for s, _ in rows}
    assert {"wb-wgi-2024", "ec-crm2023-annex7-transcribed", "ec-crm2023-results-critmat"} <= (
        sources
    )
    assert {e for _, e in rows} == {f"{ID}element/Dy"}
