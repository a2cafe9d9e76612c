"""Write `dataset.nq`, then bulk-load the release's store from it.

A full release writes every block to `dataset.nq` (generation is fast: about 10 s for 19M
triples), then a child process (this file run as a script, `python -I loader.py STORE FILE
[START END]`, importing only pyoxigraph) bulk-loads the file into the new store while the
parent fsyncs the file. The loader's memory is not added to DuckDB's and Polars', which are
released before it starts.

The child cuts the file at line ends into parts of about `PART_BYTES` (fewer quads than one
of Oxigraph's 1M-quad loader batches) and loads them with `STREAMS` threads, each calling
`Store.bulk_load` on one part after another (pyoxigraph releases the GIL; each part is fed
through a pipe by `os.sendfile`). Each call holds one part in memory, so the peak is bounded
by streams x part size, and every CPU parses and sorts, where Oxigraph's own load of the
whole file keeps one batch per CPU in flight plus the one being parsed. The parts' sorted
files overlap, so the store is then compacted once. On 19M triples, 2 CPUs: 0.81-0.83 GB in
133-150 s with a 34-42 s compaction, against 1.8-2.3 GB in 134-174 s for Oxigraph's own load
of the same file (bench/graph/RESULTS.md section 9). Oxigraph renames blank nodes per call,
so the byte range `START END` that holds every blank node (the writer knows it: only
hand-built blocks have any) is never cut; without it, the file is searched for one.
The child runs with jemalloc when it is installed (`allocator_env`).

An incremental release keeps its copied store open and, on close, bulk-loads only the side
file of the segments it rendered (copied segments are already in the copied store).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
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
# Bytes per part (about 450,000 quads of a release): below Oxigraph's 1M-quad batch, so one
# call holds one part. Smaller parts lower the peak and add compactions (RESULTS.md §9).
PART_BYTES = int(os.environ.get("REEKG_GRAPH_LOADER_PART_BYTES", "100000000"))
# Parts loaded at once (0: one per CPU, at most 4); about 0.5 GB each.
STREAMS = int(os.environ.get("REEKG_GRAPH_LOADER_STREAMS", "0"))
MAX_STREAMS = 4
BLANK_NODE = b"_:"
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
        self._blank_nodes: list[str] = []  # the loader child searches the file
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

    def set_blank_nodes(self, span: tuple[int, int] | None) -> None:
        """The byte range of `dataset.nq` that holds every blank node (None: there is none),
        so that the loader child need not search the file for it."""
        self._blank_nodes = ["none"] if span is None else [str(span[0]), str(span[1])]

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
                [sys.executable, "-I", __file__, str(self.store_dir), str(self.dataset),
                 *self._blank_nodes],
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
                message = err.decode(errors="replace").strip()[-2000:]
                raise RuntimeError(f"graph loader failed: {message}")
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


def streams() -> int:
    """Parts loaded at once: `STREAMS`, else one per CPU the process may use (at most 4)."""
    if STREAMS < 0:
        raise ValueError(f"REEKG_GRAPH_LOADER_STREAMS: {STREAMS} is not 0 or more")
    if STREAMS:
        return STREAMS
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, MAX_STREAMS))


def blank_node_range(source: Path, chunk: int = 1 << 24) -> tuple[int, int] | None:
    """The lines from the first to the last that holds `_:` (a blank node, or the same two
    characters in a literal: then the range is only wider than needed), read in chunks."""
    first = last = -1
    with open(source, "rb") as f:
        offset, tail = 0, b""
        while block := f.read(chunk):
            data, base = tail + block, offset - len(tail)
            if first < 0 and (at := data.find(BLANK_NODE)) >= 0:
                first = base + at
            if (at := data.rfind(BLANK_NODE)) >= 0:
                last = base + at
            offset, tail = offset + len(block), block[-1:]
        if first < 0:
            return None
        start = first
        while start > 0:
            window = max(0, start - (1 << 16))
            f.seek(window)
            at = f.read(start - window).rfind(b"\n")
            if at >= 0:
                start = window + at + 1
                break
            start = window
        f.seek(last)
        return start, last + len(f.readline())


def parts(source: Path, together: tuple[int, int] | None, part_bytes: int = PART_BYTES
          ) -> list[tuple[int, int]]:  # fmt: skip
    """Byte ranges of `source`, about `part_bytes` each, cut after a newline and never inside
    `together`."""
    size = source.stat().st_size
    cuts = [0]
    with open(source, "rb") as f:
        while cuts[-1] + part_bytes < size:
            f.seek(cuts[-1] + part_bytes)
            cut = f.tell() + len(f.readline())
            if together and together[0] < cut < together[1]:
                cut = together[1]
            if cut >= size:
                break
            cuts.append(cut)
    return list(zip(cuts, [*cuts[1:], size], strict=True))


def _load_part(store: ox.Store, source: Path, start: int, end: int) -> None:
    """Bulk-load bytes `start:end` of `source`, fed through a pipe by the kernel."""
    read, write = os.pipe()

    def feed() -> None:
        try:  # a failed load closes the pipe: then the feeding stops
            with contextlib.suppress(BrokenPipeError), open(source, "rb") as f:
                offset = start
                while offset < end:
                    offset += os.sendfile(write, f.fileno(), offset, end - offset)
        finally:
            os.close(write)  # the end of the part, whatever happened

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        store.bulk_load(path=f"/dev/fd/{read}", format=ox.RdfFormat.N_QUADS, lenient=LENIENT)
    finally:
        os.close(read)
        feeder.join()


def _where(source: Path, start: int, end: int, error: Exception) -> str:
    """One line naming the file, line and column of a part's error (Oxigraph counts lines
    from the part's start), or its bytes."""
    if not (isinstance(error, SyntaxError) and error.lineno):
        return f"{source} bytes {start}-{end}: {error}"
    before = 0
    with open(source, "rb") as f:
        while f.tell() < start:
            before += f.read(min(1 << 24, start - f.tell())).count(b"\n")
    reason = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", str(error.msg))
    return f"{source} line {before + error.lineno} column {error.offset}: {reason}"


def load_path(store_dir: Path, source: Path, together: tuple[int, int] | None = None,
              *, find_blank_nodes: bool = True) -> dict[str, Any]:  # fmt: skip
    """Bulk-load the N-Quads file `source` into a new store at `store_dir`, by parts.

    `together`: the byte range that holds every blank node; without it (and
    `find_blank_nodes`) the file is searched for one."""
    clock = time.perf_counter()
    if together is None and find_blank_nodes:
        together = blank_node_range(source)
    ranges = parts(source, together) if sys.platform.startswith("linux") else []
    store = ox.Store(str(store_dir))
    optimize_seconds = 0.0
    if len(ranges) < 2:
        try:
            store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS, lenient=LENIENT)
        except SyntaxError as error:
            raise RuntimeError(_where(source, 0, source.stat().st_size, error)) from error
    else:
        todo = list(reversed(ranges))
        errors: list[str] = []
        lock = threading.Lock()

        def work(store: ox.Store) -> None:
            while True:
                with lock:
                    if errors or not todo:
                        return
                    start, end = todo.pop()
                try:
                    _load_part(store, source, start, end)
                except Exception as error:  # reported below, with its place
                    with lock:
                        errors.append(_where(source, start, end, error))

        threads = [threading.Thread(target=work, args=(store,))
                   for _ in range(min(streams(), len(ranges)))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError(errors[0])
        # Every part's sorted files overlap the others': compacted once here, the store is
        # 40% smaller and answers q11 in 0.6 s instead of 4.3 s (RESULTS.md section 9).
        optimize_clock = time.perf_counter()
        store.optimize()
        optimize_seconds = time.perf_counter() - optimize_clock
    store.flush()
    del store
    return {
        "seconds": time.perf_counter() - clock,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "allocator": os.environ.get("LD_PRELOAD") or "system",
        "parts": max(1, len(ranges)),
        "optimize_seconds": optimize_seconds,
        "streams": min(streams(), max(1, len(ranges))),
    }


def main(args: list[str]) -> dict[str, Any]:
    """`STORE FILE [START END | none]`: the blank nodes' byte range, `none` when the file has
    none; without either, the file is searched."""
    store, source, *span = args
    if span == ["none"]:
        return load_path(Path(store), Path(source), find_blank_nodes=False)
    together = (int(span[0]), int(span[1])) if span else None
    return load_path(Path(store), Path(source), together)


if __name__ == "__main__":
    try:
        print(json.dumps(main(sys.argv[1:])), flush=True)
    except (RuntimeError, SyntaxError, OSError, ValueError) as failure:
        sys.exit(str(failure).splitlines()[0] if str(failure) else repr(failure))
