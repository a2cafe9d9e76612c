"""A second source per quota key: the reported points land as a cross-check (new keys such as
2010-2013 land; matching keys agree), and a landed report of the public record's 2019 mix-up
(127,000 t, the smelting quota, printed as the mining quota) is listed with both sources."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from etl.cli.run import materialize_all
from etl.settings import BUNDLED_DATA, Settings

POINTS = BUNDLED_DATA / "capacity" / "china_quota_reported_points.csv"
QUOTAS = BUNDLED_DATA / "capacity" / "china_re_quotas_2015_2023.csv"
SELECTION = "group:reference or group:capacity"


def test_reported_points_cross_check_core_quotas(tmp_path: Path) -> None:
    settings = Settings.under(tmp_path / "home")
    points = list(csv.DictReader(POINTS.open(encoding="utf-8")))
    header = list(points[0])
    peak = next(p for p in points if p["year"] == "2019" and p["batch"] == "total")
    mixup = {**peak, "quota_type": "mining", "value_t_reo": "127000", "note": "mix-up"}
    mixup["quota_type"] = "mining"
    landing = settings.landing_dir / "capacity"
    landing.mkdir(parents=True)
    with (landing / "report_2019.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(mixup)
    [mining_2019] = [
        float(r["tonnes_reo"])
        for r in csv.DictReader(QUOTAS.open(encoding="utf-8"))
        if (r["year"], r["batch"], r["entity_type"], r["ore_type"], r["quota_type"])
        == ("2019", "annual", "national", "all", "mining")
    ]
    assert mining_2019 == 132000

    summary = materialize_all(settings, selection=SELECTION)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        landed = con.execute("SELECT count(*) FROM core.quota_reported_points").fetchall()[0][0]
        old_years = {
            y
            for (y,) in con.execute(
                "SELECT DISTINCT year FROM core.quota_reported_points WHERE year < 2015"
            ).fetchall()
        }
        disagreements = con.execute(
            "SELECT year, batch, quota_type, holder_id, core_tonnes, reported_tonnes, "
            "core_source_id, reported_source_id FROM marts.quota_cross_check "
            "WHERE status = 'disagrees'"
        ).fetchall()
        [(quarantined,)] = con.execute(
            "SELECT count(*) FROM quarantine.rejected_rows WHERE dataset = 'quota_reported_points'"
        ).fetchall()
    assert landed + quarantined == len(points) + 1  # every row accounted for
    assert old_years == {2010, 2011, 2012, 2013}
    assert len(disagreements) == 1, disagreements
    year, batch, quota_type, holder, core, reported, core_source, reported_source = disagreements[0]
    assert (year, batch, quota_type, holder) == (2019, "annual", "mining", "CHN")
    assert (core, reported) == (mining_2019, 127000.0)
    assert core_source and reported_source
    failed = [f for f in summary.checks_failed if "sources_agree" in f]
    assert len(failed) == 1 and core_source in failed[0] and reported_source in failed[0]
    assert "132,000 t" in failed[0] and "127,000 t" in failed[0]
