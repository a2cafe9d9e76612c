"""Landing merged by key for every landed contract (holdings, USGS editions), reference data by
landing (countries), and the landing sensor re-running what depends on a changed reference file,
landed or bundled. One working warehouse for the module; each test lands files, reruns only the
assets they feed, checks against figures read here from the files, then removes them and checks
the bundled figures are back. Figures come from the CSV files, not from the pipeline."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from etl.cli.run import materialize_all
from etl.core.runs import RANGE_END, RANGE_START
from etl.definitions import build_defs
from etl.resources import build_resources
from etl.settings import BUNDLED_DATA, Settings

OLD = time.time() - 60
HOLDINGS = "capacity/holdings_baseline.csv"
WORLD_2024 = "production/mcs2024-raree_world.csv"


@dataclass(frozen=True)
class Home:
    settings: Settings

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def land(self, relpath: str, text: str) -> Path:
        path = self.settings.landing_dir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (OLD, OLD))
        return path

    def run(self, selection: str, partition: str | None = None) -> None:
        summary = materialize_all(self.settings, selection=selection, partition=partition)
        assert summary.success, summary.failures + summary.failed_steps


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    root = tmp_path_factory.mktemp("landing-merge")
    data = root / "data"
    shutil.copytree(BUNDLED_DATA, data)
    settings = Settings.under(root / "home", data_dir=data)
    home = Home(settings)
    home.run("group:reference or key:capacity/holdings_baseline", None)
    home.run("key:production/usgs_world", "2024")
    yield home


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_landed_holdings_supersede_only_their_keys_and_revert_when_removed(home: Home) -> None:
    bundled = rows_of(home.settings.data_dir / HOLDINGS)
    first = bundled[0]
    header = ",".join(first)
    corrected = {**first, "tonnes_reo": "6500"}  # same key, new figure
    added = {**bundled[1], "as_of": "2025-01-01", "tonnes_reo": "2500"}  # a new key
    home.land(
        "capacity/jiangxi_holdings_2025.csv",
        header + "\n" + "\n".join(",".join(r.values()) for r in (corrected, added)) + "\n",
    )
    home.run("key:capacity/holdings_baseline")

    def figures() -> list[tuple[str, float]]:
        got = home.query("SELECT CAST(as_of AS VARCHAR), tonnes_reo FROM core.holdings_baseline")
        return sorted((str(d), float(t)) for d, t in got)  # type: ignore[arg-type]

    expected = sorted(
        [(r["as_of"], float(r["tonnes_reo"])) for r in (corrected, *bundled[1:])]
        + [("2025-01-01", 2500.0)]
    )
    assert figures() == expected

    (home.settings.landing_dir / "capacity" / "jiangxi_holdings_2025.csv").unlink()
    home.run("key:capacity/holdings_baseline")
    assert figures() == sorted((r["as_of"], float(r["tonnes_reo"])) for r in bundled)
    assert home.query(
        "SELECT count(*) FROM raw.holdings_baseline WHERE starts_with(source_file, 'landing/')"
    ) == [(0,)]


def test_landed_usgs_file_supersedes_only_its_edition_keys(home: Home) -> None:
    path = home.settings.data_dir / WORLD_2024
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    china = next(line for line in lines if line.startswith("MCS2024,China,"))
    columns = next(csv.reader([lines[0]]))
    cells = next(csv.reader([china]))
    year_col = columns.index("Prod_t_est_2023")
    bundled_china = int(cells[year_col])
    cells[year_col] = str(bundled_china + 1000)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([columns, cells])
    before = home.query(
        "SELECT country_iso3, year, tonnes_reo FROM core.production WHERE edition = '2024' "
        "ORDER BY 1, 2"
    )
    other_editions = home.query("SELECT count(*) FROM core.production WHERE edition <> '2024'")
    home.land("production/mcs2024-raree_world_revised.csv", out.getvalue())
    home.run("key:production/usgs_world", "2024")

    after = home.query(
        "SELECT country_iso3, year, tonnes_reo FROM core.production WHERE edition = '2024' "
        "ORDER BY 1, 2"
    )
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [(("CHN", 2023, bundled_china), ("CHN", 2023, bundled_china + 1000))]
    assert home.query("SELECT count(*) FROM core.production WHERE edition <> '2024'") == (
        other_editions
    )
    # the landed file has no world row: the bundled world total stays
    world = next(line for line in lines if ",World total (rounded)," in line)
    world_cells = next(csv.reader([world]))
    assert home.query(
        "SELECT tonnes_reo FROM core.production_world WHERE edition = '2024' AND year = 2023"
    ) == [(float(world_cells[year_col].replace(",", "")),)]

    (home.settings.landing_dir / "production" / "mcs2024-raree_world_revised.csv").unlink()
    home.run("key:production/usgs_world", "2024")
    assert (
        home.query(
            "SELECT country_iso3, year, tonnes_reo FROM core.production WHERE edition = '2024' "
            "ORDER BY 1, 2"
        )
        == before
    )


def tick(home: Home, defs: dg.Definitions, cursor: str | None) -> tuple[list[dg.RunRequest], str]:
    sensor = defs.resolve_sensor_def("capacity_production_landing_sensor")
    with dg.build_sensor_context(
        cursor=cursor,
        definitions=defs,
        resources=build_resources(home.settings),
        instance=dg.DagsterInstance.ephemeral(),
    ) as context:
        data = sensor.evaluate_tick(context)
    return list(data.run_requests or []), data.cursor or ""


def test_a_reference_change_landed_or_bundled_reruns_what_depends_on_it(home: Home) -> None:
    defs = build_defs(home.settings)
    requests, cursor = tick(home, defs, None)
    assert requests == []  # the bundled reference files are the baseline
    assert tick(home, defs, cursor)[0] == []

    bundled = rows_of(home.settings.data_dir / "reference" / "countries.csv")
    header = ",".join(bundled[0])
    home.land("reference/countries.csv", header + "\nXKX,XK,,Kosovo,false\n")
    requests, cursor = tick(home, defs, cursor)
    jobs = {r.job_name: r for r in requests}
    assert set(jobs) == {"reference_and_capacity", "reference_and_usgs"}
    quota_years = defs.resolve_job_def("capacity_quotas").partitions_def
    assert quota_years is not None
    keys = quota_years.get_partition_keys()
    request = jobs["reference_and_capacity"]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (keys[0], keys[-1])
    assert tick(home, defs, cursor)[0] == []  # nothing new

    # The requested run, as the daemon would launch it: reference first, then every quota year.
    job = defs.resolve_job_def("reference_and_capacity")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, tags=dict(request.tags))
    assert result.success
    with_kosovo = {iso3 for (iso3,) in home.query("SELECT iso3 FROM core.countries")}
    # Kosovo (not in ISO 3166-1, so not in the maintained list either) lands; no bundled row is lost
    assert "XKX" in with_kosovo and {r["iso3"] for r in bundled} <= with_kosovo
    assert home.query("SELECT iso3 FROM core.country_codes WHERE code = 'Kosovo'") == [("XKX",)]
    quota_rows = rows_of(home.settings.data_dir / "capacity" / "china_re_quotas_2015_2023.csv")
    assert home.query("SELECT count(*) FROM core.quotas") == [(len(quota_rows),)]

    # A bundled reference file edited in the data folder counts too (by content).
    aliases = home.settings.data_dir / "reference" / "country_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "Kosova,XKX,name\n", encoding="utf-8")
    requests, cursor = tick(home, defs, cursor)
    assert {r.job_name for r in requests} == {"reference_and_capacity", "reference_and_usgs"}
    os.utime(aliases)  # touched, same bytes: nothing to do
    assert tick(home, defs, cursor)[0] == []

    # Removing the landed file reverts its keys.
    (home.settings.landing_dir / "reference" / "countries.csv").unlink()
    requests, cursor = tick(home, defs, cursor)
    assert {r.job_name for r in requests} == {"reference_and_capacity", "reference_and_usgs"}
    home.run("group:reference")
    after = {iso3 for (iso3,) in home.query("SELECT iso3 FROM core.countries")}
    assert after == with_kosovo - {"XKX"}
