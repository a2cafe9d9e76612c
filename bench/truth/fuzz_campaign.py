"""Fuzz campaign, end to end: each mutation on its own, landed into a published deployment.

    .venv/bin/python bench/truth/fuzz_campaign.py --workdir /tmp/reekg-fuzz [--only NAME]

For each case: land one mutated file (quota, Comtrade, BACI landing files, or a bundled file
replaced), run the headless runner on the affected selection in a child process (its terminal
output captured), then count: a traceback on the terminal; rows of the file not accounted for
in `quarantine.file_accounting` (rows in = landed + quarantined + superseded + elsewhere,
counted from the file written here); a non-finite value in the published warehouse; a
file-level error not named in one line. Prints one JSON line per case and the totals; exits 1
on any loss or traceback. The bounded version runs in the suite (tests/core/
test_fuzz_end_to_end.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from etl.ops.instance import ensure_instance_home  # noqa: E402
from etl.settings import BUNDLED_DATA, Settings  # noqa: E402
from etl.trade.models import COMTRADE_COLUMNS  # noqa: E402

QUOTAS = "capacity/china_re_quotas_2015_2023.csv"
BASELINE = "group:reference or group:capacity or group:trade or group:publish"
CAPACITY = "group:capacity or group:publish"
TRADE = "group:trade or group:publish"
BACI_COUNTRIES = (
    "country_code,country_name,country_iso2,country_iso3\n"
    "156,China,CN,CHN\n392,Japan,JP,JPN\n842,USA,US,USA\n"
)
RUN = """
import sys
from etl.cli.run import materialize_all
from etl.cli.summary import _print_outcome
from etl.settings import Settings
settings = Settings.from_env()
summary = materialize_all(settings, selection=sys.argv[1])
_print_outcome(settings, summary)
sys.exit(0 if summary.success else 1)
"""
FINITE_SQL = {
    CAPACITY: "SELECT count(*) FROM core.quotas WHERE NOT isfinite(tonnes_reo)",
    TRADE: "SELECT count(*) FROM core.trade_flows WHERE NOT isfinite(value_usd) "
    "OR NOT isfinite(coalesce(tonnes, 0))",
}


@dataclass(frozen=True)
class Case:
    name: str
    selection: str
    target: str  # landing/<path> or a bundled relpath
    content: Callable[[], bytes]
    rows: int | None  # data rows in the file (row-level case), None for a file-level error
    expect: str  # reason (row-level) or words of the one-line error (file-level)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def quota_template() -> tuple[list[str], list[str]]:
    with (BUNDLED_DATA / QUOTAS).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], next(r for r in rows if r[0] == "2023" and r[1] == "1" and r[5] == "mining")


def quota_case(name: str, change: dict[str, str], reason: str, shape: str = "") -> Case:
    header, template = quota_template()

    def content() -> bytes:
        row = dict(zip(header, template, strict=True))
        row.update(change)
        bad = [row[c] for c in header]
        bad = bad[:5] if shape == "short" else [*bad, "x"] if shape == "long" else bad
        return csv_bytes([header, template, bad])

    return Case(name, CAPACITY, f"landing/capacity/fuzz_{name}.csv", content, 2, reason)


def comtrade_row(**values: str) -> list[str]:
    row = {c: "" for c in COMTRADE_COLUMNS}
    row.update(
        typeCode="C", freqCode="A", refPeriodId="20230101", refYear="2023", refMonth="52",
        period="2023", reporterCode="842", flowCode="M", partnerCode="156", partner2Code="0",
        classificationCode="H6", cmdCode="280530", customsCode="C00", motCode="0",
        qtyUnitCode="8", qtyUnitAbbr="kg", netWgt="1000", primaryValue="100",
    )  # fmt: skip
    row.update(values)
    return [row[c] for c in COMTRADE_COLUMNS]


def comtrade_case(name: str, change: dict[str, str], reason: str, shape: str = "") -> Case:
    def content() -> bytes:
        bad = comtrade_row(partnerCode="392", **change)
        bad = bad[:-3] if shape == "short" else [*bad, "7"] if shape == "long" else bad
        return csv_bytes([list(COMTRADE_COLUMNS), comtrade_row(), bad])

    return Case(name, TRADE, f"landing/trade/comtrade/fuzz_{name}.csv", content, 2, reason)


def baci_case(name: str, bad: str, reason: str) -> Case:
    def content() -> bytes:
        return f"t,i,j,k,v,q\n2023,156,842,280530,12.5,3.25\n{bad}\n".encode()

    target = f"landing/trade/baci/BACI_HS22_Y2023_V202501_fuzz_{name}.csv"
    return Case(name, TRADE, target, content, 2, reason)


def cases() -> list[Case]:
    header, template = quota_template()
    return [
        quota_case("quota_nan", {"tonnes_reo": "NaN"}, "not a number"),
        quota_case("quota_inf", {"tonnes_reo": "inf"}, "not a number"),
        quota_case("quota_1e400", {"tonnes_reo": "1e400"}, "not a number"),
        quota_case("quota_1e308", {"tonnes_reo": "1e308"}, "out of range"),
        quota_case("quota_2010", {"year": "2010"}, "year outside the partitions"),
        quota_case("quota_2031", {"year": "2031"}, "year outside the partitions"),
        quota_case("quota_control", {"source_note": "a\x07b"}, "control character"),
        quota_case("quota_long", {}, "fields, header has", shape="long"),
        quota_case("quota_short", {}, "truncated row", shape="short"),
        comtrade_case("comtrade_nan", {"primaryValue": "NaN"}, "not a finite number"),
        comtrade_case("comtrade_inf", {"netWgt": "inf"}, "not a finite number"),
        comtrade_case("comtrade_1e400", {"primaryValue": "1e400"}, "not a finite number"),
        comtrade_case("comtrade_short", {}, "fields, header has", shape="short"),
        comtrade_case("comtrade_long", {}, "fields, header has", shape="long"),
        baci_case("baci_nan", "2023,156,392,280530,NaN,1", "not a finite number"),
        baci_case("baci_inf", "2023,156,392,280530,1,inf", "not a finite number"),
        baci_case("baci_long", "2023,156,392,280530,1,1,9", "fields, header has"),
        Case(
            "quota_duplicate_header",
            CAPACITY,
            "landing/capacity/fuzz_dup.csv",
            lambda: csv_bytes([[*header, "tonnes_reo"], [*template, "1"]]),
            None,
            "duplicate column(s) tonnes_reo",
        ),
        Case(
            "quota_utf16_bundled",
            CAPACITY,
            QUOTAS,
            lambda: csv_bytes([header, template], "utf-16"),
            None,
            "UTF-16 LE",
        ),
        Case(
            "comtrade_utf16",
            TRADE,
            "landing/trade/comtrade/fuzz_utf16.csv",
            lambda: csv_bytes([list(COMTRADE_COLUMNS), comtrade_row()], "utf-16"),
            None,
            "UTF-16 LE",
        ),
        Case(
            "comtrade_duplicate_header",
            TRADE,
            "landing/trade/comtrade/fuzz_dup.csv",
            lambda: csv_bytes([[*COMTRADE_COLUMNS, "netWgt"], [*comtrade_row(), "1"]]),
            None,
            "duplicate column(s) netWgt",
        ),
    ]


def env_for(root: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("REEKG_")}
    env.update(
        REEKG_HOME=str(root / "home"),
        REEKG_DATA_DIR=str(root / "data"),
        DAGSTER_HOME=str(root / "dagster"),
        PYTHONWARNINGS="ignore",
    )
    return env


def headless(root: Path, selection: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-c", RUN, selection],
        cwd=ROOT,
        env=env_for(root),
        capture_output=True,
        text=True,
        timeout=900,
    )
    return proc.returncode, proc.stdout + proc.stderr


def run_case(root: Path, settings: Settings, case: Case) -> dict[str, object]:
    if case.target.startswith("landing/"):
        path, original = settings.landing_dir / case.target.removeprefix("landing/"), None
    else:
        path = settings.data_dir / case.target
        original = path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if "/baci/" in case.target:  # BACI files need their companion country list
        companion = path.parent / "country_codes_V202501.csv"
        companion.write_text(BACI_COUNTRIES, encoding="utf-8")
    path.write_bytes(case.content())
    started = time.perf_counter()
    try:
        code, out = headless(root, case.selection)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    row: dict[str, object] = {"case": case.name, "exit": code, "seconds": 0.0}
    row["seconds"] = round(time.perf_counter() - started, 1)
    row["traceback"] = "Traceback" in out
    lost, ok = 0, True
    if case.rows is None:
        ok = any(path.name in line and case.expect in line for line in out.splitlines())
    else:
        label = (
            str(path) if case.selection == TRADE else f"landing/{case.target[len('landing/') :]}"
        )
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            [(rows_in, accounted)] = con.execute(
                "SELECT sum(rows_in), sum(rows_landed + rows_quarantined + rows_superseded "
                "+ rows_elsewhere) FROM quarantine.file_accounting WHERE source_file = ?",
                [label],
            ).fetchall()
            reasons = [
                r for (r,) in con.execute(
                    "SELECT reason FROM quarantine.rejected_rows WHERE source_file = ?", [label]
                ).fetchall()
            ]  # fmt: skip
        lost = case.rows - int(accounted or 0)
        ok = rows_in == case.rows and any(case.expect in r for r in reasons)
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        [(non_finite,)] = con.execute(FINITE_SQL[case.selection]).fetchall()
    row.update(lost=lost, reason_found=ok, published_non_finite=int(non_finite))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--only", default=None, help="run the cases whose name contains this")
    args = parser.parse_args()
    root = args.workdir
    ensure_instance_home(root / "dagster")
    if not (root / "home").exists():
        shutil.copytree(BUNDLED_DATA, root / "data")
        code, out = headless(root, BASELINE)
        if code:
            print(out[-3000:])
            return 1
    settings = Settings.under(root / "home", data_dir=root / "data")
    totals = {"cases": 0, "losses": 0, "tracebacks": 0, "unnamed": 0, "published_non_finite": 0}
    for case in cases():
        if args.only and args.only not in case.name:
            continue
        row = run_case(root, settings, case)
        print(json.dumps(row), flush=True)
        totals["cases"] += 1
        totals["losses"] += abs(int(str(row["lost"])))
        totals["tracebacks"] += int(bool(row["traceback"]))
        totals["unnamed"] += int(not row["reason_found"])
        totals["published_non_finite"] += int(str(row["published_non_finite"]))
    print(json.dumps(totals))
    bad = totals["losses"] + totals["tracebacks"] + totals["unnamed"]
    return 1 if bad or totals["published_non_finite"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
