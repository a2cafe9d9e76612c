"""Run the release's loader child on one N-Quads file and report where its CPU went, by thread.

    .venv/bin/python bench/graph/loader_threads.py --dataset DIR/dataset.nq --store /tmp/store \
        [--env REEKG_GRAPH_LOADER_STREAMS=1] [--env MALLOC_CONF=...] [--timeline 2]

The child is `etl/graph/loader.py` run as the release runs it (same allocator environment,
the blank nodes' byte range found beforehand), with `--env` overrides. Every 0.5 s this
samples `/proc/PID/task/*` (thread name, CPU seconds, allowed CPUs) and the child's RSS; with
`--timeline S` it also prints, every S seconds, the CPU the main thread, the other threads
(the loading threads) and RocksDB's threads used, and the peak RSS so far.
Prints one JSON document: the child's own report, wall seconds, sampled peak RSS, and CPU
seconds per (thread name, allowed CPUs). bench/graph/RESULTS.md section 8 used it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from etl.graph.loader import allocator_env, blank_node_range  # noqa: E402

LOADER = ROOT / "etl" / "graph" / "loader.py"
TICKS = os.sysconf("SC_CLK_TCK")


def _thread(pid: int, tid: str) -> tuple[str, float, str]:
    """(name, CPU seconds, allowed CPUs) of one thread."""
    stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    status = Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines()
    allowed = next(line.split()[1] for line in status if line.startswith("Cpus_allowed_list"))
    return name, cpu, allowed


def _rss_gb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line.split()[1] for line in status if line.startswith("VmRSS"))) / 1e6


def run(
    dataset: Path, store: Path, env_overrides: dict[str, str], timeline: float
) -> dict[str, Any]:
    """Load `dataset` into a new store at `store` with the loader child, sampling its threads."""
    shutil.rmtree(store, ignore_errors=True)
    env = {**allocator_env(), **env_overrides}
    span = blank_node_range(dataset)  # the release's writer knows it: not timed
    where = [str(span[0]), str(span[1])] if span else ["none"]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-I", str(LOADER), str(store), str(dataset), *where],
        stdout=subprocess.PIPE, env=env,
    )  # fmt: skip
    threads: dict[str, tuple[str, float, str]] = {}
    peak, last_print, last = 0.0, start, dict[str, float]()
    while proc.poll() is None:
        try:
            for tid in os.listdir(f"/proc/{proc.pid}/task"):
                try:
                    threads[tid] = _thread(proc.pid, tid)
                except (OSError, StopIteration):
                    continue
            peak = max(peak, _rss_gb(proc.pid))
        except (OSError, StopIteration):
            pass
        now = time.perf_counter()
        if timeline and now - last_print >= timeline:
            use = {"main": 0.0, "rocksdb": 0.0, "other": 0.0}
            for tid, (name, cpu, _) in threads.items():
                kind = "main" if tid == str(proc.pid) else (
                    "rocksdb" if name.startswith("rocksdb") else "other")  # fmt: skip
                use[kind] += cpu - last.get(tid, 0.0)
            last = {tid: cpu for tid, (_, cpu, _) in threads.items()}
            print(f"{now - start:6.1f} s  " + "  ".join(f"{k} {v:.2f}" for k, v in use.items())
                  + f"  rss {peak:.2f} GB", file=sys.stderr, flush=True)  # fmt: skip
            last_print = now
        time.sleep(0.5)
    assert proc.stdout is not None
    out = proc.stdout.read().decode().strip().splitlines()
    by_kind: dict[str, dict[str, float]] = {}
    for name, cpu, allowed in threads.values():
        entry = by_kind.setdefault(f"{name} on CPUs {allowed}", {"threads": 0, "cpu_seconds": 0.0})
        entry["threads"] += 1
        entry["cpu_seconds"] = round(entry["cpu_seconds"] + cpu, 1)
    return {
        "loader": json.loads(out[-1]) if out else None,
        "returncode": proc.returncode,
        "wall_seconds": round(time.perf_counter() - start, 1),
        "sampled_peak_rss_gb": round(peak, 3),
        "cpu_by_thread": by_kind,
        "env": env_overrides,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True, help="an N-Quads file")
    parser.add_argument("--store", type=Path, required=True, help="a new store folder")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the child")
    parser.add_argument("--timeline", type=float, default=0.0, help="print CPU every S s")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.env)
    print(json.dumps(run(args.dataset, args.store, overrides, args.timeline), indent=2))


if __name__ == "__main__":
    main()
