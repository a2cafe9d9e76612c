"""The EU's published 2023 supply risks, reproduced from the bundled inputs.

The figures are computed here with tests/risk/data.py (standard library, no etl code) and
compared with the published values and with what marts.supply_risk holds.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest

from tests.risk.data import (
    ASSESSED,
    EXAMPLES_FILE,
    KNOWN_DIFFERENCES,
    STAGE,
    WGI_FILE,
    eu_2023_stage_srs,
    hhi,
    rows,
    scaled_wgi,
    supply_risk,
)

COMPUTED = eu_2023_stage_srs()
EU_BASELINE = (
    "SELECT element_symbol, stage, supply_risk, published_supply_risk, value_label, is_computed "
    "FROM marts.supply_risk WHERE importer = 'EU27' AND variant = 'baseline' "
    "AND sourcing_basis = 'eu_assessment' AND element_symbol IS NOT NULL"
)


def test_scaled_wgi_matches_the_gathering_notes():
    wgi = scaled_wgi()
    # data/SOURCES.md: CHN 5.714, RUS 6.367, MMR 6.863, AUS 1.967, USA 2.725, JPN 2.364
    expected = {"CHN": 5.714, "RUS": 6.367, "MMR": 6.863, "AUS": 1.967, "USA": 2.725}
    assert {c: round(wgi[c], 3) for c in expected} == expected


def test_every_supported_published_value_is_reproduced():
    supported = {
        k: (sr, pub)
        for k, (sr, pub) in COMPUTED.items()
        if pub is not None and k not in KNOWN_DIFFERENCES
    }
    assert set(supported) == {
        ("Ce", "P"), ("Dy", "P"), ("Gd", "P"), ("La", "E"), ("Pr", "E"), ("Sc", "P"), ("Tb", "E"),
    }  # fmt: skip
    off = {k: v for k, v in supported.items() if abs(v[0] - v[1]) > 0.1}
    assert off == {}


def test_the_known_differences_really_differ():
    assert {k for k, v in COMPUTED.items() if v[1] is not None and abs(v[0] - v[1]) > 0.1} == (
        KNOWN_DIFFERENCES
    )


def _examples() -> dict[str, list[dict[str, str]]]:
    by_id: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows(EXAMPLES_FILE):
        by_id[r["example_id"]].append(r)
    return by_id


@pytest.mark.parametrize("example", sorted(_examples()))
def test_worked_example(example):
    lines = _examples()[example]
    wgi = scaled_wgi()

    def shares(kind: str, t_name: str) -> tuple[dict[str, float], dict[str, float]]:
        s = {r["iso3"]: float(r["value"] or 0) for r in lines if r["parameter"] == f"{kind}_share"}
        t = {r["iso3"]: float(r["value"]) for r in lines if r["parameter"] == t_name}
        return s, t

    value = {r["parameter"]: r["value"] for r in lines if not r["iso3"]}
    global_only = value["supply_used_in_SR"] == "GSonly"
    sourcing = None if global_only else hhi(*shares("eu_sourcing", "t_eu"), wgi)
    computed = supply_risk(
        hhi(*shares("global_supply", "t_global"), wgi),
        sourcing,
        float(value["IR"]),
        float(value["EoL_RIR"]),
        float(value["SI_SR"]),
        global_only,
    )
    assert computed == pytest.approx(float(value["published_SR_stage"]), abs=0.1)


def test_mart_holds_the_independent_figures(published: duckdb.DuckDBPyConnection):
    mart = {(r[0], r[1]): r[2:] for r in published.execute(EU_BASELINE).fetchall()}
    # every rare earth and scandium, both stages
    assert set(mart) == {(s, stage) for s in ASSESSED for stage in STAGE.values()}
    for (symbol, stage), (computed, published_sr) in COMPUTED.items():
        sr, pub, label, is_computed = mart[(symbol, STAGE[stage])]
        assert sr == pytest.approx(computed, abs=1e-9), (symbol, stage)
        assert pub == published_sr
        assert is_computed
        if published_sr is None:
            assert label == "computed (no published value)"
        elif (symbol, stage) in KNOWN_DIFFERENCES:
            assert label == "published and computed differ"
        else:
            assert label == "computed, agrees with published"
    # scandium's extraction stage is not assessed: a row, no figure
    assert mart[("Sc", "extraction")][0] is None
    assert mart[("Sc", "extraction")][2] == "not assessed"


def test_blank_published_values_have_a_computed_value_only(published):
    blank = {s for (s, st), (_, pub) in COMPUTED.items() if st == "P" and pub is None}
    # left blank on purpose (data/SOURCES.md), and praseodymium's, blank in the transcription
    assert blank == {"Er", "Eu", "Ho", "Lu", "Tm", "Yb", "Pr"}
    labels = published.execute(
        EU_BASELINE.replace("SELECT element_symbol", "SELECT DISTINCT value_label, element_symbol")
        + " AND stage = 'processing' AND element_symbol IN ('Er','Eu','Ho','Lu','Tm','Yb','Pr')"
    ).fetchall()
    assert {r[0] for r in labels} == {"computed (no published value)"}


def test_every_input_row_lands(published):
    """All bundled rows are good: none quarantined (WGI estimates below -2.5 are real data)."""
    wgi_rows = len(rows(WGI_FILE))
    assert published.execute("SELECT count(*) FROM core.wgi_estimates").fetchone() == (wgi_rows,)
    quarantined = published.execute(
        "SELECT dataset, count(*) FROM quarantine.rejected_rows WHERE dataset IN "
        "('wgi_estimates', 'crm_supply_shares', 'crm_parameters', 'risk_method_parameters', "
        "'risk_hs_stage_proxy') GROUP BY dataset"
    ).fetchall()
    assert quarantined == []
    assert min(float(r["estimate"]) for r in rows(WGI_FILE)) < -2.5
