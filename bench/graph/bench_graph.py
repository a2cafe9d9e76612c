"""Graph benchmark: bulk N-Quads generation, Oxigraph loading, rdflib beside it, SPARQL speed.

All trade rows here are SYNTHETIC (source `synthetic-trade`), generated with a fixed seed in the
layout of core.trade_flows (Comtrade-like monthly flows between the bundled countries for the
five rare-earth HS codes); the reference, capacity and production tables come from a real
pipeline warehouse (bundled data). Nothing here is an official figure.

    .venv/bin/python bench/graph/bench_graph.py --warehouse var/warehouse.duckdb \
        --rows 1000000 --rdflib-rows 20000 --sparql-rdflib-rows 50000 --out /tmp/reekg-bench

Prints one JSON document with every timing; bench/graph/RESULTS.md records a run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import psutil
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from etl.core.warehouse import load_sql  # noqa: E402
from etl.graph.build import build_release, write_tables  # noqa: E402
from etl.graph.loader import allocator_env  # noqa: E402
from etl.graph.models import MAPPINGS  # noqa: E402
from etl.graph.validate import validate_release  # noqa: E402
from etl.graph.vocab import QUERIES_DIR  # noqa: E402
from etl.trade.models import SQL_DIR as TRADE_SQL  # noqa: E402

HS = ["280530", "284610", "284690", "850511", "253090"]
FLOWS = ["import", "export", "re_import", "re_export"]
SEED = 20261128
BENCH_SOURCE = "bench-synthetic-trade"
COUNTRIES = "SELECT iso3 FROM core.countries WHERE NOT is_aggregate ORDER BY iso3"
TRADE = [m for m in MAPPINGS if m.table == "core.trade_flows"]
SPARQL_QUERIES = {
    **{path.stem: path.read_text() for path in sorted(QUERIES_DIR.glob("*.rq"))},
    "group_by_exporter": """
        PREFIX ree: <https://w3id.org/reekg/ontology#>
        SELECT ?exporter (COUNT(?f) AS ?flows) (SUM(?v) AS ?usd) WHERE {
          GRAPH ?g { ?f a ree:TradeFlow ; ree:exporter ?exporter ; ree:valueUSD ?v }
        } GROUP BY ?exporter ORDER BY DESC(?usd)""",
}


def synthetic_flows(countries: list[str], rows: int, seed: int = SEED) -> pl.DataFrame:
    """`rows` distinct monthly flows (reporter, partner, flow, HS code, month) - SYNTHETIC."""
    rng = np.random.default_rng(seed)
    n_c, n_f, n_h, n_m = len(countries), len(FLOWS), len(HS), 24 * 12
    space = n_c * n_c * n_f * n_h * n_m
    if rows > space:
        raise ValueError(f"at most {space} distinct synthetic flows")
    idx = rng.choice(space, size=rows, replace=False)
    rep, rest = np.divmod(idx, n_c * n_f * n_h * n_m)
    par, rest = np.divmod(rest, n_f * n_h * n_m)
    flo, rest = np.divmod(rest, n_h * n_m)
    hs, month_index = np.divmod(rest, n_m)
    year = 2000 + month_index // 12
    month = month_index % 12 + 1
    c = np.array(countries)
    reporter, partner, flow = c[rep], c[par], np.array(FLOWS)[flo]
    importing = np.isin(flow, ["import", "re_import"])
    value = np.round(rng.lognormal(11, 2, rows), 2)
    tonnes = np.where(rng.random(rows) < 0.1, np.nan, np.round(value / 20000, 3))
    return pl.DataFrame(
        {
            "dataset": "trade.comtrade",
            "partition_key": [f"{y}-{m:02d}" for y, m in zip(year, month, strict=True)],
            "year": year.astype(np.int32),
            "month": month.astype(np.int32),
            "period": [f"{y}{m:02d}" for y, m in zip(year, month, strict=True)],
            "freq": "M",
            "reporter_iso3": reporter,
            "partner_iso3": partner,
            "exporter_iso3": np.where(importing, partner, reporter),
            "importer_iso3": np.where(importing, reporter, partner),
            "flow": flow,
            "reporter_side": np.where(importing, "importer", "exporter"),
            "counts_as_origin": ~np.isin(flow, ["re_import", "re_export"]),
            "is_aggregate_partner": False,
            "hs_code": np.array(HS)[hs],
            "classification": "HS2017",
            "tonnes": tonnes,
            "value_usd": value,
            "release": "synthetic-bench",
            "source_id": "synthetic-trade",
            "source_file": "bench/graph/synthetic (generated in memory)",
            "source_row": np.arange(2, rows + 2, dtype=np.int64),
            "value": value,
            "currency": "USD",
            "cn_code": pl.Series([None] * rows, dtype=pl.String),
            "code_kind": "hs6",
            "is_complete": True,
        }
    ).with_columns(pl.col("tonnes").fill_nan(None))


def make_warehouse(base: Path, out: Path, rows: int) -> Path:
    """Copy of a pipeline warehouse whose core.trade_flows holds `rows` synthetic flows only."""
    shutil.copyfile(base, out)
    con = duckdb.connect(str(out))
    countries = [
        r[0]
        for r in con.execute(
            "SELECT iso3 FROM core.countries WHERE NOT is_aggregate ORDER BY iso3"
        ).fetchall()
    ]
    flows = synthetic_flows(countries, rows).with_columns(source_id=pl.lit(BENCH_SOURCE))
    # Synthetic rows never enter a release (select_trade_flows.sql); this throwaway copy cites
    # them under a bench-only source of kind `illustrative` (still flagged, never official) so
    # the bench release holds them. The warehouse copy and its releases are never published.
    con.execute(
        "INSERT INTO core.sources SELECT ?, title || ' - bench copy', publisher, url, "
        "published_on, 'illustrative', license, notes FROM core.sources WHERE source_id = ?",
        [BENCH_SOURCE, "synthetic-trade"],
    )
    con.execute("DROP TABLE IF EXISTS core.trade_flows")
    con.register("flows", flows.to_arrow())
    # The table as the pipeline creates it (its columns and constraints), filled by name.
    con.execute(load_sql(TRADE_SQL, "create_trade_flows"))
    con.execute("INSERT INTO core.trade_flows BY NAME SELECT * FROM flows")
    con.execute("CHECKPOINT")
    con.close()
    return out


def bench_generation(warehouse: Path, out_dir: Path) -> dict[str, Any]:
    """Trade mapping only: DuckDB -> Polars -> N-Quads file."""
    con = duckdb.connect(str(warehouse), read_only=True)
    nq = out_dir / "trade.nq"
    start, cpu = time.perf_counter(), time.process_time()
    with open(nq, "wb") as out:
        stats = write_tables(con, out, TRADE)
        out.flush()
        os.fsync(out.fileno())
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    con.close()
    return {
        "rows": stats.rows_by_mapping["trade_flows"],
        "triples": stats.lines,
        "seconds": seconds,
        "triples_per_s": stats.lines / seconds,
        "cpu_seconds": cpu_s,
        "triples_per_cpu_s": stats.lines / cpu_s,
        "file_bytes": nq.stat().st_size,
        "path": str(nq),
    }


def bench_loading(nq: Path, out_dir: Path, triples: int) -> dict[str, Any]:
    """Oxigraph's own in-memory bulk load vs the on-disk store the release uses."""
    mem = ox.Store()
    start, cpu = time.perf_counter(), time.process_time()
    mem.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    mem_s, mem_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(mem) == triples, (len(mem), triples)
    del mem
    disk_dir = out_dir / "store"
    shutil.rmtree(disk_dir, ignore_errors=True)
    start, cpu = time.perf_counter(), time.process_time()
    disk = ox.Store(str(disk_dir))
    disk.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS, lenient=True)
    disk.flush()
    disk_s, disk_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(disk) == triples
    del disk
    return {
        "oxigraph_in_memory_s": mem_s,
        "oxigraph_in_memory_triples_per_s": triples / mem_s,
        "release_store_on_disk_s": disk_s,
        "release_store_triples_per_s": triples / disk_s,
        "ratio_release_vs_oxigraph": disk_s / mem_s,
        "oxigraph_in_memory_cpu_s": mem_cpu,
        "release_store_cpu_s": disk_cpu,
    }


RDFLIB_SCRIPT = r"""
import json, sys, time
import duckdb
from rdflib import Graph, Literal, Namespace, RDF, URIRef, XSD
REE = Namespace("https://w3id.org/reekg/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
ID = "https://w3id.org/reekg/id/"
DIR = {"import": REE.importFlow, "export": REE.exportFlow, "re_import": REE.reImportFlow,
       "re_export": REE.reExportFlow, "reconciled": REE.reconciledFlow}
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute("SELECT * FROM core.trade_flows LIMIT " + sys.argv[2]).fetchall()
cols = [d[0] for d in con.description]
g = Graph()
start = time.perf_counter()
for values in rows:
    r = dict(zip(cols, values))
    ds = r["dataset"].replace("trade.", "")
    s = URIRef(f"{ID}tradeflow/{ds}-{r['period']}-{r['exporter_iso3']}-{r['importer_iso3']}-"
               f"{r['flow']}-{r['hs_code']}-{r['classification']}")
    g.add((s, RDF.type, REE.TradeFlow))
    g.add((s, QB.dataSet, URIRef(f"{ID}dataset/trade-{ds}")))
    g.add((s, REE.exporter, URIRef(f"{ID}country/{r['exporter_iso3']}")))
    g.add((s, REE.importer, URIRef(f"{ID}country/{r['importer_iso3']}")))
    if r["reporter_iso3"]:
        g.add((s, REE.reporter, URIRef(f"{ID}country/{r['reporter_iso3']}")))
    if r["partner_iso3"]:
        g.add((s, REE.partner, URIRef(f"{ID}country/{r['partner_iso3']}")))
    g.add((s, REE.tradeDirection, DIR[r["flow"]]))
    g.add((s, REE.commodity, URIRef(f"{ID}commodity/{r['hs_code']}")))
    g.add((s, REE.year, Literal(r["year"])))
    if r["month"] is not None:
        g.add((s, REE.month, Literal(r["month"])))
    g.add((s, REE.classification, Literal(r["classification"])))
    if r["value_usd"] is not None:
        g.add((s, REE.valueUSD, Literal(str(round(r["value_usd"], 6)), datatype=XSD.decimal)))
    if r["tonnes"] is not None:
        g.add((s, REE.quantityTonnes, Literal(str(round(r["tonnes"], 6)), datatype=XSD.decimal)))
    g.add((s, REE.sourceRow, Literal(r["source_row"])))
    g.add((s, REE.source, URIRef(f"{ID}source/{r['source_id']}")))
build_s = time.perf_counter() - start
start = time.perf_counter()
g.serialize(sys.argv[3], format="turtle")
ser_s = time.perf_counter() - start
print(json.dumps({"rows": len(rows), "triples": len(g), "add_s": build_s, "serialize_s": ser_s}))
"""


def bench_rdflib(warehouse: Path, rows: int, out_dir: Path, full_rows: int) -> dict[str, Any]:
    """rdflib Graph.add + Turtle serialization on the first `rows` of the same table."""
    proc = subprocess.run(
        [sys.executable, "-c", RDFLIB_SCRIPT, str(warehouse), str(rows),
         str(out_dir / "rdflib.ttl")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(proc.stdout)
    total = result["add_s"] + result["serialize_s"]
    result["add_triples_per_s"] = result["triples"] / result["add_s"]
    result["serialize_triples_per_s"] = result["triples"] / result["serialize_s"]
    result["triples_per_s"] = result["triples"] / total
    result["extrapolated_seconds_for_full_rows"] = total * full_rows / result["rows"]
    return result


RDFLIB_QUERY_SCRIPT = r"""
import json, sys, time
from rdflib import Dataset
ds = Dataset(default_union=True)
start = time.perf_counter()
ds.parse(sys.argv[1], format="nquads")
load_s = time.perf_counter() - start
out = {"triples": len(ds), "parse_s": load_s, "queries": {}}
for name, text in json.loads(sys.stdin.read()).items():
    start = time.perf_counter()
    rows = list(ds.query(text))
    out["queries"][name] = {"seconds": time.perf_counter() - start, "rows": len(rows)}
    print(json.dumps(out), flush=True)
"""


def oxigraph_queries(store: ox.Store) -> dict[str, Any]:
    out = {}
    for name, text in SPARQL_QUERIES.items():
        start = time.perf_counter()
        rows = list(store.query(text))  # type: ignore[arg-type]
        out[name] = {"seconds": time.perf_counter() - start, "rows": len(rows)}
    return out


def rdflib_queries(nq: Path, timeout: float) -> dict[str, Any]:
    """rdflib's default (memory) store on the same file, in a subprocess with a time limit."""
    proc = subprocess.Popen(
        [sys.executable, "-c", RDFLIB_QUERY_SCRIPT, str(nq)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(SPARQL_QUERIES))
    proc.stdin.close()
    peak = 0
    last: dict[str, Any] = {}
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < timeout:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
        time.sleep(0.5)
    if proc.poll() is None:
        proc.kill()
        last["timed_out_after_s"] = timeout
    for line in proc.stdout.read().splitlines():
        last.update(json.loads(line))
    last["peak_rss_mb"] = peak / 1e6
    return last


RELEASE_SCRIPT = r"""
import json, resource, sys, threading, time
from pathlib import Path
import duckdb, psutil
sys.path.insert(0, sys.argv[3])
from etl.graph.build import build_release
from etl.graph.validate import validate_release

class Sampler(threading.Thread):
    # Peak of this process's RSS plus its children's (the loader), sampled every 0.2 s.
    def __init__(self):
        super().__init__(daemon=True)
        self.me, self.peak, self.peak_self, self.stop = psutil.Process(), 0, 0, False
    def run(self):
        while not self.stop:
            try:
                own = self.me.memory_info().rss
                kids = sum(c.memory_info().rss for c in self.me.children(recursive=True))
            except psutil.Error:
                continue
            self.peak, self.peak_self = max(self.peak, own + kids), max(self.peak_self, own)
            time.sleep(0.2)

sampler = Sampler(); sampler.start()
con = duckdb.connect(sys.argv[1], read_only=True)
start = time.perf_counter()
base = Path(sys.argv[4]) if sys.argv[4] else None
release = build_release(con, Path(sys.argv[2]), warehouse_path=sys.argv[1], base=base)
con.close()
sampler.stop = True; sampler.join()
out = {"release": {"release_id": release.release_id, "triples": release.triples,
                   "seconds_total": time.perf_counter() - start, "seconds": release.seconds,
                   "loader": release.loader, "dir": str(release.release_dir)},
       "release_peak_rss_gb": sampler.peak / 1e9,
       "release_generator_peak_rss_gb": sampler.peak_self / 1e9,
       "release_loader_peak_rss_gb":
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6,
       "release_process_ru_maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}
if sys.argv[5] == "validate":
    sampler = Sampler(); sampler.start()
    start = time.perf_counter()
    verdict = validate_release(release.release_dir)
    sampler.stop = True; sampler.join()
    out["shacl"] = {"seconds": time.perf_counter() - start, "mode": verdict.mode,
                    "engine": verdict.engine, "conforms": verdict.conforms,
                    "violations": verdict.violations,
                    "triples_validated": verdict.triples_validated,
                    "peak_rss_gb": sampler.peak / 1e9}
out["peak_rss_gb"] = max(out["release_peak_rss_gb"], out.get("shacl", {}).get("peak_rss_gb", 0))
out["process_ru_maxrss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
print(json.dumps(out))
"""

OXIGRAPH_LOAD_SCRIPT = r"""
import json, resource, sys, time
import pyoxigraph as ox
start = time.perf_counter()
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS, lenient=True)
store.flush()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "quads": len(store),
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def run_json(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a script in a fresh interpreter (its own peak RSS) and parse its JSON output."""
    proc = subprocess.run([sys.executable, "-c", script, *args],
                          capture_output=True, text=True, check=True, env=env)  # fmt: skip
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def land_new_month(warehouse: Path, rows: int, year: int = 2024, month: int = 1) -> int:
    """Append one new month of SYNTHETIC flows to the bench warehouse (the incremental case)."""
    con = duckdb.connect(str(warehouse))
    countries = [r[0] for r in con.execute(COUNTRIES).fetchall()]
    keys = ["reporter_iso3", "partner_iso3", "flow", "hs_code"]
    flows = (
        synthetic_flows(countries, rows, seed=SEED + 1)
        .with_columns(
            source_id=pl.lit(BENCH_SOURCE),
            year=pl.lit(year, pl.Int32), month=pl.lit(month, pl.Int32),
            period=pl.lit(f"{year}{month:02d}"), partition_key=pl.lit(f"{year}-{month:02d}"),
        )
        .unique(subset=keys, keep="first", maintain_order=True)
    )  # fmt: skip
    con.register("flows", flows.to_arrow())
    con.execute("INSERT INTO core.trade_flows BY NAME SELECT * FROM flows")
    con.execute("CHECKPOINT")
    con.close()
    return flows.height


def release_only(warehouse: Path, graph_dir: Path, month_rows: int) -> dict[str, Any]:
    """The whole release and its SHACL check, Oxigraph's own bulk load of its dataset.nq, the
    SPARQL queries on it, then an incremental release after landing one new month.

    Each release runs in its own process, so `peak_rss_gb` is the release's (with its SHACL
    check), not the bench's. Oxigraph loads the same file the same way the release's store
    does (on disk, `lenient=True`), right after, in the same run.
    """
    shutil.rmtree(graph_dir, ignore_errors=True)
    report: dict[str, Any] = {"load_average_at_start": os.getloadavg()}
    report.update(run_json(RELEASE_SCRIPT, str(warehouse), str(graph_dir), str(ROOT), "",
                           "validate"))  # fmt: skip
    release_dir = Path(report["release"]["dir"])
    report["dataset_nq"] = str(release_dir / "dataset.nq")
    store_dir = graph_dir.parent / "oxigraph-own-load"
    shutil.rmtree(store_dir, ignore_errors=True)
    # Oxigraph's own load as `pip install pyoxigraph` gives it (glibc's malloc), and, when the
    # release's loader ran with another allocator, with that one too (the like-for-like ratio).
    # Twice (it varies by up to a quarter between runs on this machine); the faster counts.
    owns = []
    for _ in range(2):
        owns.append(run_json(OXIGRAPH_LOAD_SCRIPT, report["dataset_nq"], str(store_dir)))
        shutil.rmtree(store_dir, ignore_errors=True)
    own = min(owns, key=lambda r: r["seconds"])
    assert own["quads"] == report["release"]["triples"], (own, report["release"])
    report["oxigraph_load_all_seconds"] = [r["seconds"] for r in owns]
    report["oxigraph_load_seconds"] = own["seconds"]
    report["oxigraph_load_peak_rss_gb"] = own["peak_rss_gb"]
    report["ratio_release_vs_oxigraph_load"] = report["release"]["seconds_total"] / own["seconds"]
    env = allocator_env()
    report["release_loader_allocator"] = env.get("LD_PRELOAD", "system")
    if "LD_PRELOAD" in env:
        same = run_json(OXIGRAPH_LOAD_SCRIPT, report["dataset_nq"], str(store_dir), env=env)
        shutil.rmtree(store_dir, ignore_errors=True)
        report["oxigraph_load_same_allocator_seconds"] = same["seconds"]
        report["oxigraph_load_same_allocator_peak_rss_gb"] = same["peak_rss_gb"]
        report["ratio_release_vs_oxigraph_load_same_allocator"] = (
            report["release"]["seconds_total"] / same["seconds"]
        )
    report["ratio_shacl_vs_oxigraph_load"] = report["shacl"]["seconds"] / own["seconds"]
    store = ox.Store.read_only(str(release_dir / "store"))
    report["sparql_oxigraph_full"] = {"triples": report["release"]["triples"],
                                      "queries": oxigraph_queries(store)}  # fmt: skip
    del store
    landed = land_new_month(warehouse, month_rows)
    step = run_json(RELEASE_SCRIPT, str(warehouse), str(graph_dir), str(ROOT),
                    str(release_dir), "skip")  # fmt: skip
    report["incremental"] = {
        "new_month_rows": landed,
        "triples": step["release"]["triples"],
        "seconds_total": step["release"]["seconds_total"],
        "seconds": step["release"]["seconds"],
        "peak_rss_gb": step["peak_rss_gb"],
        "ratio_vs_full_release": step["release"]["seconds_total"]
        / report["release"]["seconds_total"],
    }
    report["load_average_at_end"] = os.getloadavg()
    return report


def rdflib_side_by_side(base: Path, out: Path, rows: int, timeout: float) -> dict[str, Any]:
    """The same queries on a release small enough for rdflib's default (memory) store."""
    small = make_warehouse(base, out / "small.duckdb", rows)
    small_dir = out / "graph-small"
    shutil.rmtree(small_dir, ignore_errors=True)
    con = duckdb.connect(str(small), read_only=True)
    release = build_release(con, small_dir, warehouse_path=str(small))
    con.close()
    store = ox.Store.read_only(str(release.release_dir / "store"))
    report = {"sparql_oxigraph_small": {"triples": len(store), "queries": oxigraph_queries(store)}}
    del store
    report["sparql_rdflib_small"] = rdflib_queries(release.release_dir / "dataset.nq", timeout)
    return report


def latest_release(graph_dir: Path) -> Path:
    return sorted(p for p in (graph_dir / "releases").iterdir() if not p.name.startswith("."))[-1]


def sparql_only(out: Path, timeout: float) -> dict[str, Any]:
    """Re-run the SPARQL comparison on the releases of a previous full run."""
    report: dict[str, Any] = {"load_average_at_start": os.getloadavg()}
    for label, folder in (("full", "graph"), ("small", "graph-small")):
        release = latest_release(out / folder)
        store = ox.Store.read_only(str(release / "store"))
        report[f"sparql_oxigraph_{label}"] = {
            "triples": len(store),
            "queries": oxigraph_queries(store),
        }
        del store
    small = latest_release(out / "graph-small")
    report["sparql_rdflib_small"] = rdflib_queries(small / "dataset.nq", timeout)
    report["load_average_at_end"] = os.getloadavg()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a pipeline warehouse")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rdflib-rows", type=int, default=20_000)
    parser.add_argument("--sparql-rdflib-rows", type=int, default=50_000)
    parser.add_argument("--rdflib-timeout", type=float, default=900)
    parser.add_argument("--month-rows", type=int, default=3500, help="rows of the landed month")
    parser.add_argument("--out", type=Path, default=Path("/tmp/reekg-bench"))
    parser.add_argument(
        "--loader-streams",
        type=int,
        default=None,
        help="parts the release's loader child loads at once (default: the code's, one per "
        "CPU up to 4)",
    )
    parser.add_argument(
        "--part-bytes",
        type=int,
        default=None,
        help="bytes per part of the release's loader child (default: the code's, 100 MB)",
    )
    parser.add_argument(
        "--allocator",
        default=None,
        help="allocator of the release's loader child: auto, system or a library path "
        "(default: the code's, auto)",
    )
    parser.add_argument(
        "--only",
        choices=("all", "generation", "release", "sparql"),
        default="all",
        help="generation: only the trade N-Quads step; release: only build_release + SHACL; "
        "sparql: only the SPARQL comparison, on the releases a previous full run left in --out",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.loader_streams is not None:
        os.environ["REEKG_GRAPH_LOADER_STREAMS"] = str(args.loader_streams)
    if args.part_bytes is not None:
        os.environ["REEKG_GRAPH_LOADER_PART_BYTES"] = str(args.part_bytes)
    if args.allocator is not None:
        os.environ["REEKG_GRAPH_ALLOCATOR"] = args.allocator
    if args.only == "generation":
        big = make_warehouse(args.warehouse, args.out / "bench.duckdb", args.rows)
        print(json.dumps({"generation": bench_generation(big, args.out),
                          "load_average": os.getloadavg()}, indent=2))  # fmt: skip
        return
    if args.only == "release":
        big = make_warehouse(args.warehouse, args.out / "bench.duckdb", args.rows)
        result = release_only(big, args.out / "graph-release", args.month_rows)
        if args.sparql_rdflib_rows:
            result.update(rdflib_side_by_side(args.warehouse, args.out, args.sparql_rdflib_rows,
                                              args.rdflib_timeout))  # fmt: skip
        print(json.dumps(result, indent=2, default=str))
        return
    if args.only == "sparql":
        print(json.dumps(sparql_only(args.out, args.rdflib_timeout), indent=2, default=str))
        return
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "python": platform.python_version(),
            "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "0.5",
            "polars": pl.__version__,
            "load_average_at_start": os.getloadavg(),
        },
        "synthetic": "all trade rows are SYNTHETIC (seeded generator), not official figures",
    }

    big = make_warehouse(args.warehouse, args.out / "bench.duckdb", args.rows)
    gen = bench_generation(big, args.out)
    report["generation"] = gen
    print(json.dumps({"generation": gen}), flush=True)
    report["loading"] = bench_loading(Path(gen["path"]), args.out, gen["triples"])
    print(json.dumps({"loading": report["loading"]}), flush=True)
    report["rdflib_build"] = bench_rdflib(big, args.rdflib_rows, args.out, args.rows)
    print(json.dumps({"rdflib_build": report["rdflib_build"]}), flush=True)

    # The whole release (all tables + the synthetic trade), as the pipeline builds it.
    graph_dir = args.out / "graph"
    shutil.rmtree(graph_dir, ignore_errors=True)
    con = duckdb.connect(str(big), read_only=True)
    start = time.perf_counter()
    release = build_release(con, graph_dir, warehouse_path=str(big))
    con.close()
    report["release"] = {
        "triples": release.triples,
        "seconds_total": time.perf_counter() - start,
        "seconds": release.seconds,
    }
    start = time.perf_counter()
    verdict = validate_release(release.release_dir)
    report["shacl"] = {
        "seconds": time.perf_counter() - start,
        "mode": verdict.mode,
        "conforms": verdict.conforms,
        "triples_validated": verdict.triples_validated,
    }
    print(json.dumps({"release": report["release"], "shacl": report["shacl"]}), flush=True)
    store = ox.Store.read_only(str(release.release_dir / "store"))
    report["sparql_oxigraph_full"] = {"triples": len(store), "queries": oxigraph_queries(store)}
    del store
    print(json.dumps({"sparql_oxigraph_full": report["sparql_oxigraph_full"]}), flush=True)

    # Side by side on a graph rdflib can hold: the same release with fewer synthetic rows.
    small = make_warehouse(args.warehouse, args.out / "small.duckdb", args.sparql_rdflib_rows)
    small_dir = args.out / "graph-small"
    shutil.rmtree(small_dir, ignore_errors=True)
    con = duckdb.connect(str(small), read_only=True)
    small_release = build_release(con, small_dir, warehouse_path=str(small))
    con.close()
    store = ox.Store.read_only(str(small_release.release_dir / "store"))
    report["sparql_oxigraph_small"] = {"triples": len(store), "queries": oxigraph_queries(store)}
    del store
    report["sparql_rdflib_small"] = rdflib_queries(
        small_release.release_dir / "dataset.nq", args.rdflib_timeout
    )
    report["machine"]["load_average_at_end"] = os.getloadavg()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
