"""Fuzz end to end: land a mutated file, run the headless runner on the affected selection.

For every case: no traceback on the terminal; every row of the landed file accounted for in
`quarantine.file_accounting` (rows in = landed + quarantined + superseded + elsewhere, counted
here from the file itself); each bad row quarantined with its reason; and either the release is
refused (one line) or the published warehouse holds only the good rows. File-level damage
(duplicate header column, UTF-16) is one line naming the file and the published warehouse is
left as it was. A fixed list of mutations keeps the run bounded (one baseline publish, five
headless runs); `bench/truth/fuzz_campaign.py` runs each mutation on its own, a UTF-16 bundled
file among them. The counts (cases, losses, tracebacks) are printed at the end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.cli.run import RunSummary, materialize_all
from etl.ops.landing import unmatched_files
from etl.ops.quarantine import accounting_lines
from etl.publish.gate import refusal_lines
from etl.settings import BUNDLED_DATA, Settings
from etl.trade.ingest import comtrade_touching
from etl.trade.models import COMTRADE_COLUMNS

QUOTAS = "capacity/china_re_quotas_2015_2023.csv"
BASELINE = "group:reference or group:capacity or group:trade or group:publish"
CAPACITY = "group:capacity or group:publish"
TRADE = "group:trade or group:publish"
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A deployment with the bundled data, published once before the cases land files."""
    root = tmp_path_factory.mktemp("fuzz-e2e")
    shutil.copytree(BUNDLED_DATA, root / "data")
    settings = Settings.under(root / "home", data_dir=root / "data")
    assert materialize_all(settings, selection=BASELINE).success
    return settings


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    line = (
        f"end-to-end fuzz: {TALLY['cases']} cases, {TALLY['losses']} rows lost, "
        f"{TALLY['tracebacks']} tracebacks"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(settings: Settings, selection: str, capfd: pytest.CaptureFixture[str]) -> RunSummary:
    """One headless run; counts a traceback on the terminal or in a failure line."""
    TALLY["cases"] += 1
    summary = materialize_all(settings, selection=selection)
    out, err = capfd.readouterr()
    lines = [*summary.failures, *summary.checks_failed]
    if "Traceback" in out + err or any("Traceback" in x or "\n" in x for x in lines):
        TALLY["tracebacks"] += 1
    assert "Traceback" not in out + err
    assert all("\n" not in line and "Traceback" not in line for line in lines), lines
    return summary


def accounting(settings: Settings, source_file: str) -> tuple[int, int, int, int, int]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        [row] = con.execute(
            "SELECT sum(rows_in), sum(rows_landed), sum(rows_quarantined), sum(rows_superseded), "
            "sum(rows_elsewhere) FROM quarantine.file_accounting WHERE source_file = ?",
            [source_file],
        ).fetchall()
    return row


def reasons(settings: Settings, source_file: str) -> dict[int, str]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT source_row, string_agg(reason, '; ' ORDER BY reason) "
            "FROM quarantine.rejected_rows WHERE source_file = ? GROUP BY ALL",
            [source_file],
        ).fetchall()
    return dict(rows)


def assert_accounted(settings: Settings, label: str, data_rows: int) -> tuple[int, ...]:
    counts = accounting(settings, label)
    rows_in, landed, quarantined, superseded, elsewhere = counts
    lost = data_rows - (landed + quarantined + superseded + elsewhere)
    TALLY["losses"] += abs(lost)
    assert rows_in == data_rows and lost == 0, counts
    return counts


def assert_refused_or_clean(settings: Settings, summary: RunSummary, sql: str) -> None:
    """Either the release was refused (one line each) or every published value is finite."""
    if not summary.success:
        lines = refusal_lines(settings.published_warehouse.parent)
        assert summary.checks_failed or summary.failures or lines
        return
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        values = [v for (v,) in con.execute(sql).fetchall()]
    assert all(v is None or math.isfinite(v) for v in values)


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def quota_rows(settings: Settings) -> tuple[list[str], list[str]]:
    with (settings.data_dir / QUOTAS).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    template = next(r for r in rows if r[0] == "2023" and r[1] == "1" and r[5] == "mining")
    return rows[0], template


# (what is changed, expected reason) for rows of a landed quota file; row 2 is the good one.
QUOTA_MUTATIONS = [
    ({"tonnes_reo": "NaN"}, "not a number"),
    ({"tonnes_reo": "inf"}, "not a number"),
    ({"tonnes_reo": "1e400"}, "not a number"),
    ({"tonnes_reo": "1e308"}, "out of range"),
    ({"year": "2010"}, "year outside the partitions"),
    ({"year": "2031"}, "year outside the partitions"),
    ({"source_note": "MIIT\x07notice"}, "control character"),
    ({"": "long"}, "fields, header has"),
    ({"": "short"}, "truncated row"),
]


def test_quota_file_with_bad_rows(deployment: Settings, capfd: pytest.CaptureFixture[str]) -> None:
    header, template = quota_rows(deployment)
    rows = [template]
    for change, _ in QUOTA_MUTATIONS:
        row = dict(zip(header, template, strict=True))
        if change == {"": "long"}:
            rows.append([*template, "extra"])
            continue
        if change == {"": "short"}:
            rows.append(template[:5])
            continue
        row.update(change)
        rows.append([row[c] for c in header])
    landed = deployment.landing_dir / "capacity" / "fuzz_quotas_2023.csv"
    landed.parent.mkdir(parents=True, exist_ok=True)
    landed.write_text(csv_text([header, *rows]), encoding="utf-8")
    try:
        summary = run(deployment, CAPACITY, capfd)
        label = "landing/capacity/fuzz_quotas_2023.csv"
        # the good row lands (and supersedes the bundled row of its key); every other row
        # is quarantined with its reason
        assert assert_accounted(deployment, label, len(rows)) == (10, 1, 9, 0, 0)
        lines = accounting_lines(deployment.warehouse)  # what make run and reekg status print
        assert lines[0].endswith("; 0 unaccounted"), lines
        assert f"quotas: {label}: 10 in = 1 landed + 9 quarantined + 0 superseded" in "".join(lines)
        bundled = accounting(deployment, QUOTAS)
        assert bundled[3] == 1 and sum(bundled[1:]) == bundled[0]
        found = reasons(deployment, label)
        for line, (_, reason) in enumerate(QUOTA_MUTATIONS, start=3):
            assert reason in found[line], (line, found)
        assert_refused_or_clean(deployment, summary, "SELECT tonnes_reo FROM core.quotas")
    finally:
        landed.unlink()


def comtrade_line(**values: str) -> list[str]:
    row = {c: "" for c in COMTRADE_COLUMNS}
    row.update(
        typeCode="C", freqCode="A", refPeriodId="20230101", refYear="2023", refMonth="52",
        period="2023", reporterCode="842", flowCode="M", partnerCode="156", partner2Code="0",
        classificationCode="H6", cmdCode="280530", customsCode="C00", motCode="0",
        qtyUnitCode="8", qtyUnitAbbr="kg", netWgt="1000", primaryValue="100",
    )  # fmt: skip
    row.update(values)
    return [row[c] for c in COMTRADE_COLUMNS]


COMTRADE_MUTATIONS = [
    ({"partnerCode": "392", "primaryValue": "NaN"}, "not a finite number"),
    ({"partnerCode": "276", "primaryValue": "inf"}, "not a finite number"),
    ({"partnerCode": "458", "netWgt": "1e400"}, "not a finite number"),
    ({"partnerCode": "36", "": "short"}, "fields, header has"),
    ({"partnerCode": "124", "": "long"}, "fields, header has"),
]


def test_comtrade_file_with_bad_rows(
    deployment: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    rows = [comtrade_line()]
    for change, _ in COMTRADE_MUTATIONS:
        shape = change.get("", "")
        line = comtrade_line(**{k: v for k, v in change.items() if k})
        rows.append(line[:-3] if shape == "short" else [*line, "7"] if shape == "long" else line)
    landed = deployment.landing_dir / "trade" / "comtrade" / "fuzz_2023.csv"
    landed.parent.mkdir(parents=True, exist_ok=True)
    landed.write_text(csv_text([list(COMTRADE_COLUMNS), *rows]), encoding="utf-8")
    try:
        summary = run(deployment, TRADE, capfd)
        assert assert_accounted(deployment, str(landed), len(rows)) == (6, 1, 5, 0, 0)
        found = reasons(deployment, str(landed))
        for number, (_, reason) in enumerate(COMTRADE_MUTATIONS, start=3):
            assert reason in found[number], (number, found)
        assert_refused_or_clean(
            deployment, summary, "SELECT value_usd FROM core.trade_flows UNION ALL "
            "SELECT tonnes FROM core.trade_flows"
        )  # fmt: skip
    finally:
        landed.unlink()


def utf16(text: str) -> bytes:
    return text.encode("utf-16")  # with its byte-order mark, as Excel writes "Unicode text"


@pytest.mark.parametrize(
    ("where", "content", "selection", "expected"),
    [
        (
            "landing/capacity/fuzz_dup.csv",
            lambda h, t: csv_text([[*h, "tonnes_reo"], [*t, "1"]]).encode(),
            CAPACITY,
            "duplicate column(s) tonnes_reo",
        ),
        (
            "landing/trade/comtrade/fuzz_utf16.csv",
            lambda h, t: utf16(csv_text([list(COMTRADE_COLUMNS), comtrade_line()])),
            TRADE,
            "UTF-16 LE",
        ),
    ],
)
def test_file_level_damage_is_one_line_naming_the_file(
    deployment: Settings,
    capfd: pytest.CaptureFixture[str],
    where: str,
    content,
    selection: str,
    expected: str,
) -> None:
    header, template = quota_rows(deployment)
    if where.startswith("landing/"):
        path = deployment.landing_dir / where.removeprefix("landing/")
        original = None
    else:
        path = deployment.data_dir / where
        original = path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    before = digest(deployment.published_warehouse)
    path.write_bytes(content(header, template))
    try:
        summary = run(deployment, selection, capfd)
        # a failed step's line, or an ignored landed file's line (as `make run` prints them)
        ignored = comtrade_touching(deployment.landing_dir)[1]
        lines = [*summary.failures, *unmatched_files(deployment.landing_dir), *ignored]
        named = [line for line in lines if path.name in line and expected in line]
        assert named, lines
        if summary.failures:
            assert not summary.success
            assert digest(deployment.published_warehouse) == before
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
