"""Each fetcher against a real local HTTP server replaying the service's real wire format."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from etl.core.contracts import read_contract
from etl.core.http import SOURCES_COLUMNS, FetchError, RetryPolicy
from etl.production.fetch_usgs import UsgsFetcher
from etl.reference.models import SOURCES
from etl.settings import BUNDLED_DATA
from etl.trade.fetch_comext import COLUMNS as COMEXT_COLUMNS
from etl.trade.fetch_comext import ComextFetcher, ComextQuery
from etl.trade.fetch_comtrade import ComtradeFetcher, ComtradeQuery
from etl.trade.readers import CountryCodes, read_comtrade
from tests.fetch import servers
from tests.fetch.servers import GOOD_KEY, Replay, Seen

FAST = RetryPolicy(attempts=3, base_delay=0.05, max_delay=2.0)
HS = ("280530", "284610", "284690")


def source_rows(hs: tuple[str, ...], year: str) -> list[dict[str, str]]:
    with servers.US_FILE.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["hs_code"] in hs and r["year"] == year]


def registry(landing: Path) -> list[dict[str, str]]:
    path = landing / "reference" / "sources.csv"
    result = read_contract(path, SOURCES)
    assert result.rejected.height == 0, result.rejected
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == SOURCES_COLUMNS
        return list(reader)


def comtrade(
    landing: Path, replay: Replay, key: str | None = GOOD_KEY, **kw: object
) -> ComtradeFetcher:
    return ComtradeFetcher(landing, replay.url, key, FAST, **kw)  # type: ignore[arg-type]


def test_comtrade_data_api_lands_every_row_in_the_reader_layout(tmp_path: Path) -> None:
    with servers.serve(servers.comtrade_replay(servers.us_import_records())) as replay:
        report = comtrade(tmp_path, replay).fetch(ComtradeQuery(("842",), ("2023",), "A", HS))
    assert len(report.landed) == 1 and report.requests == 1
    landed = tmp_path / report.landed[0]
    expected = source_rows(HS, "2023")
    codes = CountryCodes.from_reference_csv(BUNDLED_DATA / "reference")
    result = read_comtrade([landed], codes, 2023)
    assert result.rejected.height == 0
    assert result.flows.height == len(expected) == 50
    by_code: dict[str, float] = defaultdict(float)
    for r in expected:
        by_code[r["hs_code"]] += float(r["value_usd"])
    got = result.flows.group_by("hs_code").agg(v=pl.col("value_usd").sum())
    assert {c: round(v, 2) for c, v in got.iter_rows()} == {
        c: round(v, 2) for c, v in by_code.items()
    }
    (row,) = registry(tmp_path)
    assert row["kind"] == "official" and row["url"].startswith(replay.url + "/data/v1/get/C/A/HS?")
    assert GOOD_KEY not in row["url"] and "sha256 " in row["notes"]
    assert replay.seen[0].headers["ocp-apim-subscription-key"] == GOOD_KEY


def test_comtrade_preview_cap_splits_until_complete(tmp_path: Path) -> None:
    replay = servers.comtrade_replay(servers.us_import_records(), preview_cap=30)
    with servers.serve(replay):
        fetcher = comtrade(tmp_path, replay, key=None, row_cap=30)
        report = fetcher.fetch(ComtradeQuery(("842",), ("2023",), "A", HS))
    assert fetcher.endpoint_name.startswith("public preview")
    assert all(s.path == "/public/v1/preview/C/A/HS" for s in replay.seen)
    # 50 rows: the whole query is capped at 30, then 280530 (12) and 284610+284690 (38, capped),
    # then 284610 (15) and 284690 (23).
    assert [s.query["cmdCode"][0] for s in replay.seen] == [
        "280530,284610,284690",
        "280530",
        "284610,284690",
        "284610",
        "284690",
    ]
    assert report.rows == len(source_rows(HS, "2023"))


def test_comtrade_cap_that_cannot_be_split_fails_and_lands_nothing(tmp_path: Path) -> None:
    with servers.serve(servers.comtrade_replay(servers.us_import_records(), 20)) as replay:
        fetcher = comtrade(tmp_path, replay, key=None, row_cap=20)
        with pytest.raises(
            FetchError, match=r"row cap \(20\) reached .* HS 284690.*COMTRADE_API_KEY"
        ):
            fetcher.fetch(ComtradeQuery(("842",), ("2023",), "A", ("284690",)))
    assert not (tmp_path / "trade" / "comtrade").exists()


def test_comtrade_429_waits_retry_after_then_succeeds(tmp_path: Path) -> None:
    replay = servers.comtrade_replay(servers.us_import_records())
    throttled: list[float] = []

    def throttle(seen: Seen) -> tuple[int, dict[str, str], bytes] | None:
        if not throttled:
            throttled.append(time.monotonic())
            return (
                429,
                {"Retry-After": "1"},
                b'{"statusCode": 429, "message": "Rate limit is exceeded."}',
            )
        return None

    replay.hooks.append(throttle)
    with servers.serve(replay):
        fetcher = comtrade(tmp_path, replay)
        report = fetcher.fetch(ComtradeQuery(("842",), ("2023",), "A", HS))
    assert report.retries == 1 and report.requests == 2 and len(report.landed) == 1
    assert time.monotonic() - throttled[0] >= 1.0  # honoured Retry-After (FAST's own is 0.05 s)


def test_comtrade_server_error_midway_resumes_with_kept_chunks(tmp_path: Path) -> None:
    replay = servers.comtrade_replay(servers.us_import_records(), preview_cap=30)
    failing = [True]
    replay.hooks.append(
        lambda s: (
            (500, {}, b"upstream error")
            if failing[0] and s.query["cmdCode"] == ["284690"]
            else None
        )
    )
    with servers.serve(replay):
        with pytest.raises(FetchError, match=r"HTTP 500 .*gave up after 3 attempts"):
            comtrade(tmp_path, replay, key=None, row_cap=30).fetch(
                ComtradeQuery(("842",), ("2023",), "A", HS)
            )
        assert not (tmp_path / "trade" / "comtrade").exists()
        assert len(list((tmp_path / ".fetch" / "comtrade" / "2023").glob("*.json"))) == 2
        failing[0] = False
        before = len(replay.seen)
        report = comtrade(tmp_path, replay, key=None, row_cap=30).fetch(
            ComtradeQuery(("842",), ("2023",), "A", HS)
        )
    asked = [s.query["cmdCode"][0] for s in replay.seen[before:]]
    assert asked == ["280530,284610,284690", "284610,284690", "284690"]  # kept chunks not re-asked
    assert report.rows == 50 and not (tmp_path / ".fetch" / "comtrade" / "2023").exists()


def test_comtrade_same_payload_twice_changes_nothing(tmp_path: Path) -> None:
    query = ComtradeQuery(("842",), ("2022", "2023"), "A", HS)
    with servers.serve(servers.comtrade_replay(servers.us_import_records())) as replay:
        first = comtrade(tmp_path, replay).fetch(query)
        stamps = {p: (tmp_path / p).stat().st_mtime_ns for p in first.landed}
        sources = (tmp_path / "reference" / "sources.csv").read_bytes()
        second = comtrade(tmp_path, replay).fetch(query)
    assert len(first.landed) == 2 and second.landed == [] and second.unchanged == first.landed
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in first.landed} == stamps
    assert (tmp_path / "reference" / "sources.csv").read_bytes() == sources
    assert len(registry(tmp_path)) == 2


def test_comtrade_empty_or_changed_payload_keeps_good_data(tmp_path: Path) -> None:
    query = ComtradeQuery(("842",), ("2023",), "A", HS)
    replay = servers.comtrade_replay(servers.us_import_records())
    mode = ["good"]

    def misbehave(seen: Seen) -> tuple[int, dict[str, str], bytes] | None:
        if mode[0] == "empty":
            return 200, {}, b'{"elapsedTime": "0.01 secs", "count": 0, "data": [], "error": ""}'
        if mode[0] == "renamed":
            records = [
                {("primaryValueUSD" if k == "primaryValue" else k): v for k, v in r.items()}
                for r in servers.us_import_records()
                if r["period"] == "2023"
            ]

            return 200, {}, json.dumps({"count": len(records), "data": records}).encode()
        return None

    replay.hooks.append(misbehave)
    with servers.serve(replay):
        (path,) = comtrade(tmp_path, replay).fetch(query).landed
        good = (tmp_path / path).read_bytes()
        mode[0] = "empty"
        report = comtrade(tmp_path, replay).fetch(query)
        assert report.landed == [] and report.empty == ["period 2023"]
        mode[0] = "renamed"
        with pytest.raises(FetchError, match=r"changed layout .* lack primaryValue"):
            comtrade(tmp_path, replay).fetch(query)
    assert (tmp_path / path).read_bytes() == good


def _cli(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "COMTRADE_API_KEY"}
    environ.update(REEKG_HOME=str(home), **env)
    return subprocess.run(
        [str(Path(sys.executable).parent / "reekg"), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_cli_lists_services_and_errors_are_one_line(tmp_path: Path) -> None:
    helped = _cli(["fetch", "--help"], tmp_path)
    assert helped.returncode == 0
    assert all(name in helped.stdout for name in ("comtrade", "comext", "usgs"))
    with servers.serve(servers.comtrade_replay(servers.us_import_records())) as replay:
        bad_key = _cli(
            [
                "fetch",
                "comtrade",
                "--freq",
                "A",
                "--periods",
                "2023",
                "--reporters",
                "842",
                "--base-url",
                replay.url,
            ],
            tmp_path,
            COMTRADE_API_KEY="wrong",
        )
        preview = _cli(
            [
                "fetch",
                "comtrade",
                "--freq",
                "A",
                "--periods",
                "2023",
                "--reporters",
                "842",
                "--base-url",
                replay.url,
            ],
            tmp_path,
        )
    assert bad_key.returncode == 1 and "Traceback" not in bad_key.stderr
    assert (
        bad_key.stderr.strip()
        .splitlines()[-1]
        .startswith("reekg: error: UN Comtrade: access refused (HTTP 401")
        and "COMTRADE_API_KEY" in bad_key.stderr
    )
    assert preview.returncode == 0, preview.stderr
    assert "COMTRADE_API_KEY is not set: using the public preview" in preview.stderr
    assert "1 file(s) landed" in preview.stdout
    closed = _cli(
        [
            "fetch",
            "usgs",
            "--edition",
            "2025",
            "--attempts",
            "1",
            "--base-url",
            "http://127.0.0.1:9",
        ],
        tmp_path,
    )
    assert closed.returncode == 1 and "Traceback" not in closed.stderr
    assert closed.stderr.strip().startswith("reekg: error: USGS ScienceBase: cannot reach")
    assert len(closed.stderr.strip().splitlines()) == 1


def test_comext_jsonstat_lands_the_bundled_layout(tmp_path: Path) -> None:
    members = ("AT", "DE", "FR")
    with servers.serve(servers.comext_replay()) as replay:
        report = ComextFetcher(tmp_path, replay.url, FAST).fetch(ComextQuery(("2023",), members))
    assert report.requests == 3 and len(report.landed) == 1
    with (tmp_path / report.landed[0]).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        with servers.COMEXT_FILE.open(encoding="utf-8", newline="") as src:
            assert tuple(reader.fieldnames or ()) == tuple(next(csv.reader(src)))
        landed = list(reader)
    source = [
        r for r in servers.comext_rows() if r["year"] == "2023" and r["reporter_iso2"] in members
    ]

    def values(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], float]:
        return {
            (r["reporter_iso2"], r["partner_iso2"], r["cn8_code"]): float(r["value_eur"])
            for r in rows
        }

    assert values(landed) == values(source) and len(source) > 100
    # ISO3 from the reference tables where they know the code; never a wrong one.
    iso3 = {(r["partner_iso2"], r["partner_iso3"]) for r in source}
    assert {(r["partner_iso2"], r["partner_iso3"]) for r in landed if r["partner_iso3"]} <= iso3
    assert tuple(COMEXT_COLUMNS) == tuple(reader.fieldnames or ())
    assert registry(tmp_path)[0]["publisher"] == "Eurostat"


def test_comext_changed_dimension_is_one_clear_error(tmp_path: Path) -> None:
    replay = servers.comext_replay()

    def renamed(seen: Seen) -> tuple[int, dict[str, str], bytes] | None:
        body = servers.jsonstat(servers.comext_rows(), seen.query)
        body["id"] = ["geo" if d == "reporter" else d for d in body["id"]]
        body["dimension"]["geo"] = body["dimension"].pop("reporter")

        return 200, {}, json.dumps(body).encode()

    replay.hooks.append(renamed)
    with (
        servers.serve(replay),
        pytest.raises(FetchError, match=r"changed layout .* reporter missing"),
    ):
        ComextFetcher(tmp_path, replay.url, FAST).fetch(ComextQuery(("2023",), ("DE",)))
    assert not (tmp_path / "trade").exists()


def test_usgs_zip_release_resumes_a_dropped_download(tmp_path: Path) -> None:
    world = (servers.DATA / "mcs2024-raree_world.csv").read_bytes()
    salient = (servers.DATA / "mcs2024-raree_salient.csv").read_bytes()
    archive = servers.usgs_zip(
        {"MCS2024/mcs2024-raree_world.csv": world, "MCS2024/mcs2024-raree_salient.csv": salient}
    )
    replay = servers.usgs_replay("2024", archive)
    dropped: list[int] = []

    def drop_once(seen: Seen) -> tuple[int, dict[str, str], bytes] | None:
        if seen.path.startswith("/catalog/file/get/") and not dropped:
            dropped.append(1)
            return 200, {"X-Drop-After": str(len(archive) // 2)}, archive
        return None

    replay.hooks.append(drop_once)
    with servers.serve(replay):
        report = UsgsFetcher(tmp_path, replay.url, FAST).fetch("2024")
    assert (tmp_path / "production" / "mcs2024-raree_world.csv").read_bytes() == world
    assert (tmp_path / "production" / "mcs2024-raree_salient.csv").read_bytes() == salient
    downloads = [s for s in replay.seen if s.path.startswith("/catalog/file/get/")]
    assert len(downloads) == 2 and downloads[1].headers["range"] == f"bytes={len(archive) // 2}-"
    assert report.retries == 1 and not list((tmp_path / ".fetch" / "usgs").glob("*.part"))
    ids = {r["source_id"]: r for r in registry(tmp_path)}
    assert set(ids) == {"usgs-mcs2024-rare-earths", "usgs-mcs2024-rare-earths-salient"}
    assert ids["usgs-mcs2024-rare-earths"]["url"].endswith("#mcs2024-raree_world.csv")


def test_usgs_changed_layout_or_empty_file_lands_nothing(tmp_path: Path) -> None:
    world = (servers.DATA / "mcs2024-raree_world.csv").read_bytes()
    broken = world.replace(b"Country,", b"Nation,", 1)
    archive = servers.usgs_zip({"mcs2024-raree_world.csv": broken})
    with (
        servers.serve(servers.usgs_replay("2024", archive)) as replay,
        pytest.raises(
            FetchError, match=r"changed layout in mcs2024-raree_world.csv: .* lacks Country"
        ),
    ):
        UsgsFetcher(tmp_path, replay.url, FAST).fetch("2024")
    empty = servers.usgs_zip({"mcs2024-raree_world.csv": world.splitlines(keepends=True)[0]})
    with (
        servers.serve(servers.usgs_replay("2024", empty)) as replay,
        pytest.raises(FetchError, match="header but no rows"),
    ):
        UsgsFetcher(tmp_path, replay.url, FAST).fetch("2024")
    assert not (tmp_path / "production").exists()


def test_comtrade_exhausted_quota_is_named_not_retried(tmp_path: Path) -> None:
    replay = servers.comtrade_replay(servers.us_import_records())
    body = (
        b'{"statusCode": 403, "message": "Out of call volume quota. '
        b'Quota will be replenished in 02:13:07."}'
    )
    replay.hooks.append(lambda _seen: (403, {"Content-Type": "application/json"}, body))
    with servers.serve(replay), pytest.raises(FetchError, match=r"quota exhausted \(HTTP 403"):
        comtrade(tmp_path, replay).fetch(ComtradeQuery(("842",), ("2023",), "A", HS))
    assert len(replay.seen) == 1 and not (tmp_path / "trade").exists()
