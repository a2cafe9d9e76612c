"""Benchmark: trade files into the warehouse, against DuckDB on the same file, in one run.

    .venv/bin/python bench/trade/bench_baci.py --rows 10000000 --comtrade-rows 10000000 \
        --workdir /tmp/reekg-bench-trade-10m

Each measured step runs in a fresh (spawned) child process whose peak RSS (VmHWM) is its own:

- same work, BACI: DuckDB's `CREATE TABLE AS SELECT * FROM read_csv(?) WHERE k IN (the five
  rare-earth codes)` against reekg's ingest of the same file (the `trade/baci` asset's body:
  streamed scan, exact HS test, typing, quarantine checks, replace the partition of
  core.trade_flows and quarantine.rejected_rows), without Dagster's run machinery. The pair is
  run `--repeat` times, alternating, and the best of each side is compared;
- the same for a Comtrade file (`cmdCode IN (...)` against the comtrade_annual asset's body),
  when `--comtrade-rows` is given;
- DuckDB's bare `CREATE TABLE AS SELECT * FROM read_csv(...)` of every BACI row, and the whole
  pipeline through `dg.materialize` (trade/baci partition, then every trade mart, Dagster's own
  run overhead included). The quota and reference tables the exposure chain joins are built
  first, untimed.

The generated files are SYNTHETIC (source_id synthetic-trade); the marts are run with
include_synthetic so that they do real work on them. Results are printed as JSON and, with
--results, appended to a Markdown file.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _peak_rss_mb() -> float:
    """This process's own peak resident set (VmHWM; unlike ru_maxrss it resets at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _duckdb_bare(csv: str, db: str, out: Any) -> None:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(db)
    con.execute("CREATE TABLE bare AS SELECT * FROM read_csv(?)", [csv])
    rows = con.execute("SELECT count(*) FROM bare").fetchall()[0][0]
    con.close()
    out.put({"seconds": time.perf_counter() - start, "rows": rows, "peak_rss_mb": _peak_rss_mb()})


def _duckdb_filtered(csv: str, db: str, column: str, out: Any) -> None:
    """DuckDB doing the same work: a filtered `read_csv` of the rare-earth codes into a table."""
    import duckdb

    from etl.trade.models import RARE_EARTH_HS_CODES

    start = time.perf_counter()
    con = duckdb.connect(db)
    con.execute("DROP TABLE IF EXISTS flows")
    sql = {
        "k": "CREATE TABLE flows AS SELECT * FROM read_csv(?) "
        "WHERE list_contains(?::VARCHAR[], k::VARCHAR)",
        "cmdCode": "CREATE TABLE flows AS SELECT * FROM read_csv(?) "
        "WHERE list_contains(?::VARCHAR[], cmdCode::VARCHAR)",
    }[column]
    con.execute(sql, [csv, list(RARE_EARTH_HS_CODES)])
    rows = con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
    con.close()
    out.put({"seconds": time.perf_counter() - start, "rows": rows, "peak_rss_mb": _peak_rss_mb()})


def _reekg_ingest(home: str, layout: str, year: int, out: Any) -> None:
    """reekg's ingest of one year (the asset's body, no Dagster run): read, check, write.

    Imports happen before the timer on both sides. pyarrow is among them: the asset's metadata
    preview (`etl.core.metadata.table_metadata`) loads it on first use, a one-off cost of the
    process (about 0.6 s here) that any run of the pipeline has paid before its trade assets.
    """
    import duckdb
    import pyarrow  # noqa: F401  (imported untimed, as duckdb is for DuckDB's side: see below)

    from etl.resources import build_resources
    from etl.settings import Settings
    from etl.trade.ingest import baci_run, comtrade_run
    from etl.trade.models import RARE_EARTH_HS_CODES

    settings = Settings.under(Path(home))
    resources = build_resources(settings)
    run = {"baci": baci_run, "comtrade": comtrade_run}[layout]
    start = time.perf_counter()
    result = run(
        [str(year)], list(RARE_EARTH_HS_CODES), resources["warehouse"], resources["settings"]
    )
    seconds = time.perf_counter() - start
    dataset = f"trade.{layout}"
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT count(*) FROM core.trade_flows WHERE dataset = ? AND partition_key = ?",
            [dataset, str(year)],
        ).fetchall()[0][0]
        rejected = con.execute(
            "SELECT count(*) FROM quarantine.rejected_rows WHERE dataset = ? AND partition_key = ?",
            [dataset, str(year)],
        ).fetchall()[0][0]
    meta = result.metadata or {}
    dropped = meta.get("dropped_breakdown_rows")
    out.put(
        {
            "seconds": seconds,
            "rows": rows,
            "rejected_rows": rejected,
            "dropped_breakdown_rows": getattr(dropped, "value", dropped),
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _pipeline(home: str, year: int, out: Any) -> None:
    import dagster as dg
    import duckdb

    from etl.cli.run import materialize_all
    from etl.resources import build_resources
    from etl.settings import Settings
    from etl.trade import assets as trade

    settings = Settings.under(Path(home))
    os.environ["DAGSTER_HOME"] = str(Path(home) / "dagster")
    prepared = materialize_all(settings, selection="group:reference or group:capacity")
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        con.execute("SELECT count(*) FROM marts.quota_by_holder").fetchall()
    resources = build_resources(settings)
    instance = dg.DagsterInstance.ephemeral()
    marts = [
        trade.trade_flows_mart,
        trade.trade_flows_yearly,
        trade.buyer_supplier_shares,
        trade.mirror_discrepancy,
        trade.buyer_exposure_chain,
        trade.scenario_shortfall,
    ]
    start = time.perf_counter()
    ingest = dg.materialize(
        [trade.baci], resources=resources, partition_key=str(year), instance=instance
    )
    ingest_seconds = time.perf_counter() - start
    config = {"ops": {"marts__trade_flows": {"config": {"include_synthetic": True}}}}
    built = dg.materialize(marts, resources=resources, run_config=config, instance=instance)
    seconds = time.perf_counter() - start
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in (
                "core.trade_flows",
                "marts.trade_flows",
                "marts.buyer_supplier_shares",
                "marts.mirror_discrepancy",
                "marts.buyer_exposure_chain",
            )
        }
    out.put(
        {
            "seconds": seconds,
            "ingest_seconds": ingest_seconds,
            "success": ingest.success and built.success,
            "prepare_failed_steps": prepared.failed_steps,
            "rows": counts,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not proc.is_alive():
                raise RuntimeError(f"{target.__name__} died (exit code {proc.exitcode})") from None
    proc.join()
    return dict(result)


def _same_work(repeat: int, duck: tuple[Any, ...], reekg: tuple[Any, ...]) -> dict[str, Any]:
    """DuckDB and reekg on the same file, alternating `repeat` times; best of each compared."""
    runs: dict[str, list[dict[str, Any]]] = {"duckdb": [], "reekg": []}
    for _ in range(repeat):
        runs["duckdb"].append(_in_child(_duckdb_filtered, *duck))
        runs["reekg"].append(_in_child(_reekg_ingest, *reekg))
    best = {side: min(r, key=lambda x: x["seconds"]) for side, r in runs.items()}
    return {
        "duckdb_filtered_read_csv": best["duckdb"],
        "reekg_ingest": best["reekg"],
        "ratio": round(best["duckdb"]["seconds"] / best["reekg"]["seconds"], 3),
        "all_seconds": {side: [round(x["seconds"], 3) for x in r] for side, r in runs.items()},
        "load_average_before_after": None,
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _files(args: argparse.Namespace, home: Path) -> tuple[Path, Path | None, float]:
    """The BACI (and Comtrade) files under `home`'s landing folder, generated or linked."""
    from etl.trade.synthetic import write_baci, write_comtrade

    baci_dir, comtrade_dir = (
        home / "landing" / "trade" / "baci",
        home / "landing" / "trade" / "comtrade",
    )
    start = time.perf_counter()
    if args.files_from:
        for sub, target in (("baci", baci_dir), ("comtrade", comtrade_dir)):
            source = args.files_from / sub
            if not source.is_dir():
                continue
            target.mkdir(parents=True, exist_ok=True)
            for f in source.iterdir():
                os.link(f, target / f.name)
        csv = next(baci_dir.glob("BACI_*.csv"))
        comtrade = next(comtrade_dir.glob("*.csv"), None) if args.comtrade_rows else None
    else:
        csv = write_baci(baci_dir, args.rows, year=args.year, seed=42)
        comtrade = (
            write_comtrade(comtrade_dir, args.comtrade_rows, year=args.year, seed=42)
            if args.comtrade_rows
            else None
        )
    return csv, comtrade, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="BACI rows")
    parser.add_argument("--comtrade-rows", type=int, default=0, help="Comtrade rows (0: none)")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=2, help="same-work pairs, alternating")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/reekg-bench-trade"))
    parser.add_argument(
        "--files-from",
        type=Path,
        default=None,
        help="hard-link files made by `python -m etl.trade.synthetic` (DIR/baci, DIR/comtrade) "
        "instead of generating them",
    )
    parser.add_argument("--results", type=Path, default=None, help="append a Markdown section")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and DBs")
    args = parser.parse_args()

    work = args.workdir.resolve()
    if work.exists():
        shutil.rmtree(work)
    home = work / "home"
    csv, comtrade, generate_seconds = _files(args, home)

    # The same-work ingests write to their own warehouse (same landing files), so that the
    # pipeline run below starts from an empty core.trade_flows as before.
    same_home = work / "same_work_home"
    same_home.mkdir()
    (same_home / "landing").symlink_to(home / "landing")
    load_start = _load()
    same = {
        "baci": _same_work(
            args.repeat,
            (str(csv), str(work / "duck_baci.duckdb"), "k"),
            (str(same_home), "baci", args.year),
        )
    }
    same["baci"]["load_average_before_after"] = [load_start, _load()]
    if comtrade is not None:
        load = _load()
        same["comtrade"] = _same_work(
            args.repeat,
            (str(comtrade), str(work / "duck_comtrade.duckdb"), "cmdCode"),
            (str(same_home), "comtrade", args.year),
        )
        same["comtrade"]["load_average_before_after"] = [load, _load()]
        same["comtrade"]["file_mb"] = round(comtrade.stat().st_size / 1e6, 1)
        same["comtrade"]["rows_in_file"] = args.comtrade_rows
    bare = _in_child(_duckdb_bare, str(csv), str(work / "bare.duckdb"))
    pipe = _in_child(_pipeline, str(home), args.year)
    rows = bare["rows"]
    report = {
        "rows": rows,
        "file_mb": round(csv.stat().st_size / 1e6, 1),
        "generate_seconds": round(generate_seconds, 2),
        "same_work": same,
        "duckdb_bare_ctas": bare,
        "pipeline": pipe,
        "throughput_rows_per_s": {
            "duckdb_bare_ctas": round(rows / bare["seconds"]),
            "pipeline_with_marts": round(rows / pipe["seconds"]),
        },
        "pipeline_vs_bare": round(bare["seconds"] / pipe["seconds"], 3),
        "same_work_ratio_baci": same["baci"]["ratio"],
        "same_work_ratio_baci_with_dagster": round(
            same["baci"]["duckdb_filtered_read_csv"]["seconds"] / pipe["ingest_seconds"], 3
        ),
        "load_average_end": _load(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}",
    }
    print(json.dumps(report, indent=2))
    if args.results:
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write(f"\n```json\n{json.dumps(report, indent=2)}\n```\n")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
