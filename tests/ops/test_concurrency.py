"""Two materializations at once and readers during the writes: writers are serialized by the
`duckdb_writer` pool and DuckDB's lock retry, readers only open published snapshots read-only,
so no lock error reaches anyone and nothing is lost."""

from __future__ import annotations

import threading
import time

import duckdb

from etl.graph.store import open_published_store
from tests.ops.conftest import Baseline
from tests.ops.helpers import assert_published_or_refused_as_stale, run_headless, table_hashes

RUN_TIMEOUT = 240.0
GRAPH_CANDIDATE_RACE = "was never validated; not published"
LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked")


def test_two_writers_and_readers_at_once(baseline: Baseline) -> None:
    settings = baseline.dep.settings
    errors: list[str] = []
    reads = {"warehouse": 0, "graph": 0}
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            try:
                with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
                    (count,) = con.execute("SELECT count(*) FROM core.quotas").fetchone() or (0,)
                    (marts,) = con.execute(
                        "SELECT count(*) FROM marts.quota_by_holder"
                    ).fetchone() or (0,)
                if count != baseline.tables["core.quotas"][0] or marts == 0:
                    errors.append(f"reader saw {count} quota rows, {marts} mart rows")
                reads["warehouse"] += 1
                store = open_published_store(settings.graph_dir)
                if len(store) == 0:
                    errors.append("reader saw an empty graph")
                del store
                reads["graph"] += 1
            except Exception as exc:  # any reader failure fails the test
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)

    reader = threading.Thread(target=read_loop, daemon=True)
    reader.start()
    writers = [run_headless(baseline.dep), run_headless(baseline.dep)]
    outputs = []
    try:
        for proc in writers:
            outputs.append(proc.communicate(timeout=RUN_TIMEOUT)[0])
    finally:
        stop.set()
        reader.join(timeout=30)
        for proc in writers:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    for out in outputs:
        # a run validates the graph release it built itself, and no lock error reaches anyone
        assert GRAPH_CANDIDATE_RACE not in out, out[-4000:]
        assert not any(m in out for m in LOCK_ERRORS), out[-4000:]
    assert_published_or_refused_as_stale([p.returncode for p in writers], outputs)
    assert not errors, errors[:5]
    assert reads["warehouse"] >= 10 and reads["graph"] >= 10, reads
    assert table_hashes(settings.published_warehouse) == baseline.tables
    assert table_hashes(settings.warehouse) == baseline.tables
