"""Write `dataset.nq`, then bulk-load the release's store from it.

A full release writes every block to `dataset.nq` (generation is fast: about 10 s for 19M
triples), then a child process (this file run as a script, `python -I loader.py STORE FILE`,
importing only pyoxigraph) bulk-loads the file into the new store in one `Store.bulk_load`
call, exactly as Oxigraph's own load of that file, while the parent fsyncs the file. The
loader's memory is not added to DuckDB's and Polars', which are released before it starts.
(Loading while generating, from a FIFO, kept both in memory at once; loading the file in
parts made every later part overlap the store's sorted files, several times slower.)

The child keeps Oxigraph's loader to one batch in flight while it uses every CPU
(`LOADER_MEMORY`), and runs with jemalloc when it is installed (`allocator_env`): both lower
its peak memory (bench/graph/RESULTS.md section 7).

An incremental release keeps its copied store open and, on close, bulk-loads only the side
file of the segments it rendered (copied segments are already in the copied store).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyoxigraph as ox

# lenient: skip Oxigraph's IRI re-validation; every IRI was built by etl.graph.terms, and the
# tests parse every file back.
LENIENT = True
# How many 1M-quad batches Oxigraph's loader keeps in flight: "low" (default) sizes it for one
# CPU (one batch parsed while one is sorted and written) and then lets it run on every CPU;
# "default" is Oxigraph's own sizing (one batch per CPU, besides the one being parsed). On 19M
# triples, 2 CPUs: low 1.19 GB peak in 145-148 s, default 1.71 GB in 127-134 s (RESULTS.md §7).
LOADER_MEMORY = os.environ.get("REEKG_GRAPH_LOADER_MEMORY", "low")
# The child widens its CPUs once Oxigraph started its first worker thread (it has sized its
# loader by then), or after this many seconds at the latest.
WIDEN_AT_THE_LATEST_SECONDS = 30.0
JEMALLOC = (
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
    "/usr/lib64/libjemalloc.so.2",
    "/usr/lib/libjemalloc.so.2",
)
# jemalloc returns freed pages to the system within a second: the loader frees each 1M-quad
# batch. (At once, "dirty_decay_ms:0", took 10% longer for no less memory: RESULTS.md §8.)
JEMALLOC_CONF = "dirty_decay_ms:1000,muzzy_decay_ms:1000"


def allocator_env(setting: str | None = None) -> dict[str, str]:
    """Environment for the loader child with `LD_PRELOAD` of its allocator.

    `setting` (default `REEKG_GRAPH_ALLOCATOR`, else "auto"): "auto" is jemalloc if installed
    (Debian package libjemalloc2), else the system's; "system"; or a shared library's path.
    """
    env = dict(os.environ)
    setting = setting or env.get("REEKG_GRAPH_ALLOCATOR") or "auto"
    if setting == "system":
        return env
    library: str | None = setting
    if setting == "auto":
        library = next((p for p in JEMALLOC if Path(p).is_file()), None)
    if library is None:
        return env
    if not Path(library).is_file():
        raise FileNotFoundError(f"REEKG_GRAPH_ALLOCATOR: {library} not found")
    env["LD_PRELOAD"] = library
    if "jemalloc" in Path(library).name:
        env.setdefault("MALLOC_CONF", JEMALLOC_CONF)
    return env


class DatasetWriter:
    """`dataset.nq` and the store it is loaded into.

    Without `store` (full release) a child process bulk-loads a new store at `store_dir` from
    `dataset.nq` on close; with `store` (incremental release, a copied store) the rendered
    blocks also go to a side file that is bulk-loaded into `store` on close.
    """

    def __init__(self, dataset: Path, store_dir: Path, store: ox.Store | None = None) -> None:
        self.dataset = Path(dataset)
        self.store_dir = Path(store_dir)
        self.store = store
        self.bytes_written = 0
        self.load_seconds = 0.0
        self.loader: dict[str, Any] = {}
        self._out: IO[bytes] = open(self.dataset, "wb")  # noqa: SIM115 (closed in close())
        self._delta_path = self.dataset.with_name(f".{self.dataset.name}.delta")
        self._delta: IO[bytes] | None = None
        if store is not None:
            self._delta = open(self._delta_path, "wb")  # noqa: SIM115

    def write(self, data: bytes | memoryview) -> None:
        """Append whole N-Quads lines (a block ending with a newline)."""
        self._out.write(data)
        if self._delta is not None:
            self._delta.write(data)
        self.bytes_written += len(data)

    def append_copy(self, source: Path, ranges: list[list[int]]) -> int:
        """Append byte ranges of another release's dataset.nq, *not* loading them (the store
        already holds them); returns the bytes copied."""
        if self.store is None:
            raise ValueError("a full release renders every segment; nothing to copy")
        from etl.graph.segments import copy_ranges  # here: the loader child imports no etl

        self._out.flush()
        copied = copy_ranges(source, ranges, self._out.fileno())
        self.bytes_written += copied
        return copied

    def close(self) -> None:
        """Load the store (full: from `dataset.nq`, by the child; incremental: the side file)
        and fsync `dataset.nq`."""
        self._out.flush()
        clock = time.perf_counter()
        if self.store is None:
            proc = subprocess.Popen(
                [sys.executable, "-I", __file__, str(self.store_dir), str(self.dataset)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=allocator_env(),
            )  # fmt: skip
            try:
                os.fsync(self._out.fileno())  # while the child loads (it reads the page cache)
                self._out.close()
                out, err = proc.communicate()
            except BaseException:
                proc.kill()
                proc.communicate()
                raise
            if proc.returncode:
                raise RuntimeError(f"graph loader failed: {err.decode(errors='replace')[-2000:]}")
            self.loader = json.loads(out.decode().splitlines()[-1])
            self.load_seconds = time.perf_counter() - clock
            return
        os.fsync(self._out.fileno())
        self._out.close()
        assert self._delta is not None
        self._delta.close()
        self.store.bulk_load(path=str(self._delta_path), format=ox.RdfFormat.N_QUADS,
                             lenient=LENIENT)  # fmt: skip
        self.store.flush()
        self.load_seconds = time.perf_counter() - clock
        self._delta_path.unlink(missing_ok=True)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        with contextlib.suppress(OSError):
            self._out.close()
        if self._delta is not None:
            self._delta.close()
        self._delta_path.unlink(missing_ok=True)


def _thread_ids() -> set[str]:
    return set(os.listdir("/proc/self/task"))


def _one_cpu_until_first_worker() -> None:
    """Pin the calling (main) thread to one CPU, so that Oxigraph sizes its loader for one
    (fewer batches in memory), and give it every CPU back once the loader's first worker
    thread exists (the later workers inherit the main thread's CPUs when they start).

    Call it after the store is open and just before the load: RocksDB's own threads,
    started with the store, keep every CPU (pinned with the process, its compactions shared
    one CPU with the loader)."""
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cpus[-1:])
    known = _thread_ids()

    def widen() -> None:
        known.add(str(threading.get_native_id()))
        deadline = time.monotonic() + WIDEN_AT_THE_LATEST_SECONDS
        while _thread_ids() <= known and time.monotonic() < deadline:
            time.sleep(0.02)
        os.sched_setaffinity(os.getpid(), cpus)  # the main thread: its id is the process id

    threading.Thread(target=widen, daemon=True).start()


def load_path(store_dir: Path, source: Path) -> dict[str, Any]:
    """Bulk-load the N-Quads file `source` into a new store at `store_dir` in one call, as
    Oxigraph's own load of that file."""
    if LOADER_MEMORY not in {"low", "default"}:
        raise ValueError(f"REEKG_GRAPH_LOADER_MEMORY: {LOADER_MEMORY!r} is not low or default")
    clock = time.perf_counter()
    # Opened first: RocksDB's compaction threads, started here, keep every CPU.
    store = ox.Store(str(store_dir))
    if LOADER_MEMORY == "low" and hasattr(os, "sched_setaffinity"):
        _one_cpu_until_first_worker()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS, lenient=LENIENT)
    store.flush()
    del store
    return {
        "seconds": time.perf_counter() - clock,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "allocator": os.environ.get("LD_PRELOAD") or "system",
        "memory": LOADER_MEMORY,
    }


if __name__ == "__main__":
    print(json.dumps(load_path(Path(sys.argv[1]), Path(sys.argv[2]))), flush=True)
