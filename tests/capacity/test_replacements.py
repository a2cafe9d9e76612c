"""Jiangxi's December 2025 capacity-replacement plans, CREG's shareholdings and the firms behind
them, checked against figures computed here from the bundled files."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from etl.cli.run import RunSummary
from etl.settings import BUNDLED_DATA, Settings
from tests.capacity.test_bad_input import append, run_capacity

EVENTS = "capacity/china_consolidation_capacity_events.csv"
MEMBERSHIPS = "capacity/organisation_memberships.csv"


def read_rows(relpath: str, data: Path = BUNDLED_DATA) -> list[dict[str, str]]:
    with open(data / relpath, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def jiangxi_projects() -> list[dict[str, str]]:
    return [
        r
        for r in read_rows(EVENTS)
        if r["jurisdiction"].startswith("Jiangxi")
        and r["event_type"].startswith("capacity replacement")
        and r["own_capacity_replaced_t"]
    ]


def test_each_project_is_own_replaced_plus_transferred_in() -> None:
    projects = jiangxi_projects()
    assert len(projects) == 3
    longnan = next(p for p in projects if "Longnan Smelting" in p["entity"])
    assert (
        float(longnan["new_capacity_t_reo_per_yr"])
        == float(longnan["own_capacity_replaced_t"]) + float(longnan["capacity_transferred_in_t"])
        == 5500
    )
    for p in projects:
        assert float(p["new_capacity_t_reo_per_yr"]) == float(p["own_capacity_replaced_t"]) + float(
            p["capacity_transferred_in_t"]
        )


def test_ledger_gives_each_firm_its_leg_and_no_invented_baseline(
    published: duckdb.DuckDBPyConnection,
) -> None:
    expected: dict[tuple[str, str, str], tuple[float, float]] = {}
    names = dict(published.execute("SELECT alias, entity_id FROM core.entity_aliases").fetchall())
    for p in jiangxi_projects():
        firm, source = names[p["entity"]], names[p["transferred_from"]]
        moved = float(p["capacity_transferred_in_t"])
        expected[(p["event_id"], firm, "transfer_in")] = (moved, moved)
        expected[(p["event_id"], source, "transfer_out")] = (-moved, moved)
        expected[(p["event_id"], firm, "own_replacement")] = (
            0.0,
            float(p["own_capacity_replaced_t"]),
        )
    rows = published.execute(
        "SELECT event_id, holder_id, leg_kind, change_t, leg_t, before_t, after_t, is_illustrative "
        "FROM marts.reallocation_ledger WHERE row_kind = 'holder' AND NOT is_illustrative"
    ).fetchall()
    got = {(e, h, k): (c, t) for e, h, k, c, t, *_ in rows}
    assert got == expected
    assert got[("JX-CR-2025-1", "ganzhou-re-longnan-smelting", "transfer_in")] == (2500, 2500)
    assert got[("JX-CR-2025-1", "zhongse-nanfang-xinfeng", "transfer_out")] == (-2500, 2500)
    assert all(before is None and after is None for *_, before, after, _ in rows)


def test_province_total_row_shows_no_change(published: duckdb.DuckDBPyConnection) -> None:
    totals = published.execute(
        "SELECT event_id, province_id, change_t, before_t, after_t "
        "FROM marts.reallocation_ledger WHERE row_kind = 'province_total' AND NOT is_illustrative "
        "ORDER BY event_id"
    ).fetchall()
    assert [t[0] for t in totals] == [p["event_id"] for p in jiangxi_projects()]
    for _, province, change, before, after in totals:
        assert province == "CN-JX" and change == 0 and before is None and after is None


def test_published_total_and_project_sum_are_both_kept_and_flagged(
    pipeline: tuple[Settings, RunSummary], published: duckdb.DuckDBPyConnection
) -> None:
    _, summary = pipeline
    rows = read_rows(EVENTS)
    stated = next(
        float(r["new_capacity_t_reo_per_yr"]) for r in rows if r["event_id"].endswith("-SUM")
    )
    projects = sum(float(p["new_capacity_t_reo_per_yr"]) for p in jiangxi_projects())
    assert (stated, projects) == (11172, 14172)
    warned = [w for w in summary.checks_warned if "replacement_total_matches_projects" in w]
    assert len(warned) == 1
    assert f"{stated:,.0f}" in warned[0] and f"{projects:,.0f}" in warned[0]
    assert not any("replacement_total_matches_projects" in f for f in summary.checks_failed)
    kept = dict(
        published.execute(
            "SELECT row_kind, sum(new_capacity_t) FROM core.capacity_replacements "
            "WHERE plan_id = 'JX-CR-2025' GROUP BY row_kind"
        ).fetchall()
    )
    assert kept == {"stated_total": stated, "project": projects}


def test_creg_shareholdings_add_up_to_the_whole(published: duckdb.DuckDBPyConnection) -> None:
    creg = [
        float(r["shareholding_pct"])
        for r in read_rows(EVENTS)
        if r["event_id"] == "CREG-2021" and r["shareholding_pct"]
    ]
    assert len(creg) == 6 and sum(creg) == pytest.approx(100.0)
    shares = dict(
        published.execute(
            "SELECT member_org_id, share_pct FROM core.organisation_memberships "
            "WHERE org_id = 'china-rare-earth-group' AND role = 'shareholder'"
        ).fetchall()
    )
    assert sorted(shares.values()) == sorted(creg)
    assert shares["sasac"] == 31.21 and shares["ganzhou-rare-earth-group"] == 20.33
    [(ganzhou,)] = published.execute(
        "SELECT share_pct FROM core.organisation_memberships "
        "WHERE member_org_id = 'ganzhou-city' AND org_id = 'china-southern-rare-earth'"
    ).fetchall()
    assert ganzhou == 94


def test_new_firms_have_parents_and_chinese_aliases(published: duckdb.DuckDBPyConnection) -> None:
    parent = dict(
        published.execute("SELECT org_id, parent_org_id FROM core.organisations").fetchall()
    )
    assert parent["ganzhou-re-longnan-smelting"] == "ganzhou-rare-earth-group"
    aliases = dict(published.execute("SELECT alias, entity_id FROM core.entity_aliases").fetchall())
    assert aliases["赣州稀土集团有限公司"] == "ganzhou-rare-earth-group"
    assert aliases["中国稀土集团有限公司"] == "china-rare-earth-group"
    for p in jiangxi_projects():
        assert p["entity"] in aliases and p["transferred_from"] in aliases
    [(kind,)] = published.execute(
        "SELECT DISTINCT s.kind FROM core.capacity_replacements AS r JOIN core.sources AS s "
        "USING (source_id) WHERE r.plan_id = 'JX-CR-2025'"
    ).fetchall()
    assert kind == "press_report"


def test_a_project_that_does_not_add_up_fails_a_blocking_check(
    tmp_path: Path, data_copy: Path
) -> None:
    path = data_copy / EVENTS
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "capacity replacement (smelting & separation),5500,3000,2500",
            "capacity replacement (smelting & separation),5500,3000,2000",
        ),
        encoding="utf-8",
    )
    append(
        data_copy / MEMBERSHIPS,
        "creg-bad,Nobody Holdings,China Rare Earth Group,shareholder,5,,2021,"
        "https://www.cmgroup.net/news/china-re-group-established/,,",
    )
    settings, summary = run_capacity(tmp_path, data_copy)
    failed = [f for f in summary.checks_failed if "replacement_adds_up" in f]
    assert failed and "5,500" in failed[0] and "3,000" in failed[0] and "2,000" in failed[0]
    assert not any(k == "marts/reallocation_ledger" for k in summary.rows)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rejected = con.execute(
            "SELECT field, reason FROM quarantine.rejected_rows "
            "WHERE dataset = 'organisation_memberships'"
        ).fetchall()
    assert rejected == [("member", "unknown organisation name (add it to entity_aliases.csv)")]
