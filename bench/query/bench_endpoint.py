"""Endpoint load: N clients x M requests of each competency query against `reekg serve`.

Starts `reekg serve` with its defaults (2 workers, 30 s timeout, 10,000 rows, 2 GiB per worker)
on a free 127.0.0.1 port over a published graph folder, then for each query runs `--clients`
threads that each send `--requests` POSTs one after another (bounded: every request has a
timeout, the loop a fixed count). Loopback only. Prints one JSON document; the figures are
recorded in docs/query.md.

    .venv/bin/python bench/query/bench_endpoint.py --graph-dir var/published/graph
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
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.graph_dir.resolve(), port, args.serve_arg)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        results: dict[str, Any] = {
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
