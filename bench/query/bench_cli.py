"""Command-line costs: `reekg --help` start-up against `import typer`, and peak memory of
`reekg sql -o` exporting a large generated result (streamed) against the former in-memory way.

    .venv/bin/python bench/query/bench_cli.py startup [--runs 15]
    .venv/bin/python bench/query/bench_cli.py export [--rows 50000000]

Each measured command runs in its own process; peak RSS is that process's `ru_maxrss` (from
`os.wait4`). Prints one JSON document; the figures are recorded in docs/query.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

BIN = Path(sys.executable).parent
# the pre-streaming `reekg sql`: the whole result as a Polars frame, then written
IN_MEMORY = """
import sys
from pathlib import Path
from etl.query.warehouse_sql import run_sql
frame = run_sql(Path(sys.argv[1]), sys.argv[2])
if sys.argv[3] == "csv":
    frame.write_csv(sys.argv[4])
else:
    frame.write_parquet(sys.argv[4])
"""


def measure(command: list[str]) -> dict[str, Any]:
    """Wall seconds and peak RSS (MiB) of one process; fails loudly on a non-zero exit."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:3]} failed: {stderr[-500:]}")
    return {"seconds": round(seconds, 3), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def startup(runs: int) -> dict[str, Any]:
    commands = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "reekg --help": [str(BIN / "reekg"), "--help"],
        "reekg --version": [str(BIN / "reekg"), "--version"],
        "python -c 'import dagster'": [sys.executable, "-c", "import dagster"],
    }
    out: dict[str, Any] = {}
    for _ in range(2):  # warm the file cache
        for command in commands.values():
            measure(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so load on the machine hits every command alike
        for name, command in commands.items():
            samples[name].append(measure(command)["seconds"])
    for name, values in samples.items():
        out[name] = {"median_s": round(statistics.median(values), 3), "min_s": min(values)}
    base = out["python -c 'import typer'"]["median_s"]
    out["help_over_typer"] = round(out["reekg --help"]["median_s"] / base, 2)
    return out


def export(rows: int) -> dict[str, Any]:
    query = (
        "SELECT range AS id, range % 1000 AS bucket, 'row-' || range AS label, "
        f"range * 0.5 AS value FROM range({rows})"
    )
    out: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="reekg-bench-") as folder:
        warehouse = Path(folder) / "empty.duckdb"
        duckdb.connect(str(warehouse)).close()
        for fmt in ("csv", "parquet"):
            target = Path(folder) / f"out.{fmt}"
            streamed = measure(
                [str(BIN / "reekg"), "sql", query, "--warehouse", str(warehouse),
                 "-F", fmt, "-o", str(target)]
            )  # fmt: skip
            streamed["bytes"] = target.stat().st_size
            target.unlink()
            before = measure(
                [sys.executable, "-c", IN_MEMORY, str(warehouse), query, fmt, str(target)]
            )
            target.unlink()
            out[fmt] = {"streamed": streamed, "in_memory_before": before}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["startup", "export"])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rows", type=int, default=50_000_000)
    args = parser.parse_args()
    result = startup(args.runs) if args.what == "startup" else export(args.rows)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
