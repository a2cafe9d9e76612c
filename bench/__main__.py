"""`make bench`: every benchmark in one go (slow: tens of minutes on 2 cores).

1. trade: 10-million-row BACI and Comtrade files into the warehouse beside DuckDB's filtered
   read_csv of the same files (same work), and the BACI year with its marts beside DuckDB's
   bare CREATE TABLE AS SELECT (`bench/trade/RESULTS.md`);
2. graph: the graph of a 1-million-row trade table, Oxigraph loading beside rdflib, SPARQL on
   both stores (`bench/graph/RESULTS.md`).

Figures are printed as JSON; the write-ups with the figures measured so far are in
`BENCHMARKS.md`. Sizes can be lowered for a quick look: `python -m bench --trade-rows 1000000
--graph-rows 100000`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trade-rows", type=int, default=10_000_000)
    parser.add_argument("--graph-rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="reekg-bench-"))
    python = sys.executable
    steps = [
        [
            python,
            "bench/trade/bench_baci.py",
            "--rows",
            str(args.trade_rows),
            "--comtrade-rows",
            str(args.trade_rows),
            "--workdir",
            str(work / "trade"),
        ],
        [python, "-m", "etl.cli"],
        [
            python,
            "bench/graph/bench_graph.py",
            "--warehouse",
            str(work / "home/warehouse.duckdb"),
            "--rows",
            str(args.graph_rows),
            "--out",
            str(work / "graph"),
        ],
    ]
    env = {**os.environ, "REEKG_HOME": str(work / "home")}
    for step in steps:
        print("$", " ".join(step), flush=True)
        done = subprocess.run(step, cwd=ROOT, env=env, check=False)
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
