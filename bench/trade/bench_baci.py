"""Benchmark: one BACI-layout year file into the warehouse, marts included, against DuckDB's bare
`CREATE TABLE AS SELECT * FROM read_csv(...)` on the same file, side by side in one run.

    .venv/bin/python bench/trade/bench_baci.py --rows 10000000 --workdir /tmp/reekg-bench

Each measured step runs in a fresh (spawned) child process whose peak RSS (VmHWM) is its own,
in this order: DuckDB bare CTAS, then the pipeline (trade/baci partition + every trade mart)
through `dg.materialize`. The quota and reference tables the exposure chain joins are built
first, untimed. The generated file is SYNTHETIC (source_id synthetic-trade); the marts are run
with include_synthetic so that they do real work on it. Results are printed as JSON and, with
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/reekg-bench-trade"))
    parser.add_argument("--results", type=Path, default=None, help="append a Markdown section")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and DBs")
    args = parser.parse_args()

    from etl.trade.synthetic import write_baci

    work = args.workdir.resolve()
    if work.exists():
        shutil.rmtree(work)
    home = work / "home"
    landing = home / "landing" / "trade" / "baci"
    start = time.perf_counter()
    csv = write_baci(landing, args.rows, year=args.year, seed=42)
    generate_seconds = time.perf_counter() - start
    size_mb = csv.stat().st_size / 1e6

    bare = _in_child(_duckdb_bare, str(csv), str(work / "bare.duckdb"))
    pipe = _in_child(_pipeline, str(home), args.year)
    report = {
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "generate_seconds": round(generate_seconds, 2),
        "duckdb_bare_ctas": bare,
        "pipeline": pipe,
        "throughput_rows_per_s": {
            "duckdb_bare_ctas": round(args.rows / bare["seconds"]),
            "pipeline_with_marts": round(args.rows / pipe["seconds"]),
        },
        "pipeline_vs_bare": round(bare["seconds"] / pipe["seconds"], 3),
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
