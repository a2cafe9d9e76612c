"""Endpoint load: N clients x M requests of each competency query against `reekg serve`.

Starts `reekg serve` with its defaults (2 workers, 30 s timeout, 10,000 rows, 2 GiB per worker)
on a free 127.0.0.1 port over a published graph folder, then for each query runs `--clients`
threads that each send `--requests` POSTs one after another (bounded: every request has a
timeout, the loop a fixed count). Loopback only. Prints one JSON document; the figures are
recorded in docs/query.md.

    .venv/bin/python bench/query/bench_endpoint.py --graph-dir var/published/graph

`--server oxigraph` sends the same load to `oxigraph serve-read-only` (the `oxigraph` package
of the dev group) on the current release's store, with `--union-default-graph --cors` and the
same timeout: the alternative weighed in docs/query.md ("Hand-written endpoint or Oxigraph's
server"). Its peak RSS is read from /proc at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "ontology" / "queries"
NAMES = {
    "q1": "q1_smelting_share_by_holder.rq",
    "q3": "q3_buyer_china_exposure.rq",
    "q6": "q6_china_share_world_production.rq",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(graph_dir: Path, port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REEKG_GRAPH_DIR": str(graph_dir)}
    command = [sys.executable, "-m", "etl.cli.main", "serve", "--port", str(port), *extra]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reekg serve exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise TimeoutError("reekg serve did not start within 120 s")


def start_oxigraph(graph_dir: Path, port: int) -> subprocess.Popen[bytes]:
    from etl.graph.store import STORE, current_release

    store = current_release(graph_dir) / STORE
    command = [
        str(Path(sys.executable).with_name("oxigraph")), "serve-read-only",
        "--location", str(store), "--bind", f"127.0.0.1:{port}",
        "--union-default-graph", "--cors", "--timeout-s", "30",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited with {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise TimeoutError("oxigraph did not start within 60 s")


def tree_rss_mib(pid: int) -> float:
    """Sum of the peak RSS (VmHWM) of a process and all its descendants, MiB."""
    parent: dict[int, int] = {}
    peak: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        child = int(status.parent.name)
        parent[child] = int(fields.get("PPid", "0"))
        peak[child] = int(fields.get("VmHWM", "0 kB").split()[0])

    def inside(p: int) -> bool:
        while p > 1:
            if p == pid:
                return True
            p = parent.get(p, 0)
        return False

    return round(sum(kb for p, kb in peak.items() if inside(p)) / 1024, 1)


def load(url: str, query: str, clients: int, requests: int, timeout: float) -> dict[str, Any]:
    """`clients` threads x `requests` sequential POSTs; throughput, latency, status counts."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=timeout) as http:
            for _ in range(requests):
                started = time.perf_counter()
                try:
                    status = str(
                        http.post(
                            url,
                            content=query.encode(),
                            headers={"Content-Type": "application/sparql-query"},
                        ).status_code
                    )
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "req_per_s": round(len(latencies) / wall, 1),
        "p50_s": round(statistics.median(latencies), 3),
        "p99_s": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 3),
        "statuses": statuses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph-dir", type=Path, default=ROOT / "var" / "published" / "graph")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--queries", default="q1,q3,q6")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--serve-arg", action="append", default=[], help="extra `serve` option")
    parser.add_argument("--server", choices=["reekg", "oxigraph"], default="reekg")
    args = parser.parse_args()
    port = free_port()
    started = time.perf_counter()
    if args.server == "oxigraph":
        server = start_oxigraph(args.graph_dir.resolve(), port)
        url = f"http://127.0.0.1:{port}/query"
    else:
        server = start_server(args.graph_dir.resolve(), port, args.serve_arg)
        url = f"http://127.0.0.1:{port}/sparql"
    startup_s = round(time.perf_counter() - started, 2)
    try:
        health = (
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
            if args.server == "reekg"
            else {"store": "current release"}
        )
        results: dict[str, Any] = {
            "server": args.server,
            "startup_s": startup_s,
            "graph": health,
            "clients": args.clients,
            "requests_per_client": args.requests,
            "cpus": os.cpu_count(),
            "load_avg_before": os.getloadavg()[0],
        }
        for name in args.queries.split(","):
            query = (QUERIES / NAMES[name]).read_text(encoding="utf-8")
            results[name] = load(url, query, args.clients, args.requests, args.request_timeout)
        results["load_avg_after"] = os.getloadavg()[0]
        results["peak_rss_mib"] = tree_rss_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
