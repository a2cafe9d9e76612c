"""Landing keeps history: a new year's quota file under a new name, with its source registered
in landing/reference/sources.csv, adds that year's marts and keeps every earlier year; it
supersedes only the keys it holds; removing it reverts them. Figures are computed here from the
bundled file, not copied from the pipeline's output."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import duckdb

from etl.settings import BUNDLED_DATA
from tests.ops.helpers import deployment, make_run, run_headless_ok

QUOTA_FILE = BUNDLED_DATA / "capacity" / "china_re_quotas_2015_2023.csv"
SOURCE_URL = "https://example.test/quota-notice-2024-batch-1"
NEW_SOURCE = (
    "test-quota-notice-2024,Test notice: 2024 first-batch quotas (test input),Test,"
    f"{SOURCE_URL},2024-02-06,illustrative,none,test data of tests/ops/test_landing_history.py\n"
)
HEADER = "year,batch,entity_type,entity,ore_type,quota_type,tonnes_reo,is_derived,source_url\n"
ROWS_2024 = [
    ("2024", "1", "national", "China", "all", "mining", 135000),
    ("2024", "1", "national", "China", "all", "smelting_separation", 127000),
    ("2024", "1", "group", "China Northern Rare Earth", "all", "mining", 90000),
    ("2024", "1", "group", "China Rare Earth Group", "all", "mining", 45000),
    ("2024", "1", "group", "China Northern Rare Earth", "all", "smelting_separation", 80000),
    ("2024", "1", "group", "China Rare Earth Group", "all", "smelting_separation", 47000),
]
# A correction of one 2023 key: it supersedes that key only.
CORRECTED = ("2023", "1", "group", "Xiamen Tungsten", "ion", "mining", 1960)


def bundled_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(QUOTA_FILE.read_text(encoding="utf-8"))))


def landed_text() -> str:
    body = "".join(
        ",".join(map(str, (*row, "false", SOURCE_URL))) + "\n" for row in [*ROWS_2024, CORRECTED]
    )
    return HEADER + body


def quotas_by_year(path: Path) -> dict[int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("SELECT year, count(*) FROM core.quotas GROUP BY 1").fetchall())


def test_new_year_under_a_new_name_adds_its_marts_and_keeps_every_earlier_year(
    tmp_path: Path,
) -> None:
    dep = deployment(tmp_path)
    landing = dep.settings.landing_dir
    (landing / "capacity").mkdir(parents=True)
    (landing / "reference").mkdir(parents=True)
    header = (BUNDLED_DATA / "reference" / "sources.csv").read_text(encoding="utf-8")
    (landing / "reference" / "sources.csv").write_text(
        header.splitlines()[0] + "\n" + NEW_SOURCE, encoding="utf-8"
    )
    (landing / "capacity" / "miit_quotas_2024_first_batch.csv").write_text(
        landed_text(), encoding="utf-8"
    )
    (landing / "capacity" / "notes.csv").write_text("what,when\nx,y\n", encoding="utf-8")
    run = make_run(dep)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    expected = Counter(int(r["year"]) for r in bundled_rows())
    expected[2024] = len(ROWS_2024)
    published = dep.settings.published_warehouse
    assert quotas_by_year(published) == dict(expected)
    with duckdb.connect(str(published), read_only=True) as con:
        shares = dict(
            con.execute(
                "SELECT holder_id, round(share_of_batch, 6) FROM marts.quota_by_holder "
                "WHERE year = 2024 AND quota_type = 'mining'"
            ).fetchall()
        )
        years = {
            y for (y,) in con.execute("SELECT DISTINCT year FROM marts.quota_by_holder").fetchall()
        }
        [(corrected,)] = con.execute(
            "SELECT tonnes_reo FROM core.quotas WHERE year = 2023 AND batch = '1' "
            "AND holder_id = 'xiamen-tungsten' AND ore_type = 'ion' AND quota_type = 'mining'"
        ).fetchall()
        [(source_kind,)] = con.execute(
            "SELECT DISTINCT s.kind FROM core.quotas q JOIN core.sources s USING (source_id) "
            "WHERE q.year = 2024"
        ).fetchall()
    assert sorted(shares.values()) == [round(45000 / 135000, 6), round(90000 / 135000, 6)]
    assert years == {int(r["year"]) for r in bundled_rows() if r["entity_type"] == "group"} | {2024}
    assert corrected == CORRECTED[-1]
    assert source_kind == "illustrative"
    assert "capacity/notes.csv: header matches no contract" in run.stdout

    # removing the landed file reverts its keys; the bundled years stay
    (landing / "capacity" / "miit_quotas_2024_first_batch.csv").unlink()
    run_headless_ok(dep)
    expected.pop(2024)
    assert quotas_by_year(published) == dict(expected)
    bundled = next(
        r
        for r in bundled_rows()
        if (r["year"], r["batch"], r["entity"], r["ore_type"], r["quota_type"])
        == ("2023", "1", "Xiamen Tungsten", "ion", "mining")
    )
    with duckdb.connect(str(published), read_only=True) as con:
        [(value,)] = con.execute(
            "SELECT tonnes_reo FROM core.quotas WHERE year = 2023 AND batch = '1' "
            "AND holder_id = 'xiamen-tungsten' AND ore_type = 'ion' AND quota_type = 'mining'"
        ).fetchall()
    assert value == float(bundled["tonnes_reo"])
