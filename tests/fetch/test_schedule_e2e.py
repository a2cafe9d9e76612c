"""End to end: the trade_fetch_monthly schedule's run fetches from a local Comtrade server,
the landed file is loaded like a hand-dropped one, and the new figures reach the published
marts."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from etl.cli.run import materialize_all
from etl.definitions import build_defs
from etl.ops.instance import instance_for
from etl.settings import Settings
from tests.fetch import servers


def test_schedule_fetch_then_load_publishes_new_figures(
    tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two real partners of the US rows that the bundled reference does not list yet.
    with (data_copy / "reference" / "countries.csv").open("a", encoding="utf-8") as handle:
        handle.write("ARM,AM,51,Armenia,false\nFIN,FI,246,Finland,false\n")
    settings = Settings.under(tmp_path / "home", data_dir=data_copy)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster"))
    monkeypatch.setenv("COMTRADE_API_KEY", servers.GOOD_KEY)
    defs = build_defs(settings)
    schedule = defs.resolve_schedule_def("trade_fetch_monthly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED  # needs a key
    tick = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 3, 1, 5, tzinfo=UTC))
    request = schedule.evaluate_tick(tick).run_requests[0]  # type: ignore[index]
    config = request.run_config["ops"]["fetch_comtrade"]["config"]
    assert config["years"] == ["2023", "2024"]
    assert list(config["months"]) == ["202411", "202412", "202501"]

    with servers.serve(servers.comtrade_replay(servers.us_import_records())) as replay:
        monkeypatch.setenv("REEKG_COMTRADE_BASE_URL", replay.url)
        job = defs.resolve_job_def("trade_fetch_comtrade")
        result = job.execute_in_process(
            run_config=request.run_config, instance=instance_for(settings), tags=request.tags
        )
    assert result.success
    landed = sorted((settings.landing_dir / "trade" / "comtrade").glob("comtrade-api_*.csv"))
    assert [p.name[:18] for p in landed] == ["comtrade-api_A2023", "comtrade-api_A2024"]

    # The warehouse path only (reference, capacity, production, trade, publish): the graph and
    # report are not what this test is about.
    summary = materialize_all(settings, selection='+key:"publish/warehouse"')
    assert summary.success, (summary.failed_steps, summary.checks_failed)

    with servers.US_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["hs_code"] == "284690"]
    for year in (2023, 2024):
        values = {r["partner_iso3"]: float(r["value_usd"]) for r in rows if r["year"] == str(year)}
        china = values["CHN"] / sum(values.values())
        con = duckdb.connect(str(settings.published_warehouse), read_only=True)
        try:
            got = con.execute(
                "SELECT china_share_value, supplier_count, source_id, buyer_value_usd "
                "FROM marts.buyer_supplier_shares "
                "WHERE buyer = 'USA' AND hs_code = '284690' AND year = ? AND supplier = 'CHN'",
                [year],
            ).fetchall()
        finally:
            con.close()
        assert len(got) == 1
        share, suppliers, source_id, total = got[0]
        assert share == pytest.approx(china, rel=1e-9)
        assert suppliers == len(values) and total == pytest.approx(sum(values.values()))
        assert source_id == "un-comtrade"
