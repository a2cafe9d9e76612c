"""Write `dataset.nq` and bulk-load the release's store while the N-Quads are generated.

A full release streams every block it writes to `dataset.nq` into a FIFO as well: a child
process (this file run as a script, `python -I loader.py STORE`, importing only pyoxigraph)
bulk-loads the FIFO into the new store in one `Store.bulk_load` call while generation goes
on, so the release costs about the load alone (never a second pass over `dataset.nq`), and
the loader's memory is not added to DuckDB's and Polars' in the generating process. (Loading
the file in parts while it was written made every later part overlap the store's sorted
files, several times slower than one load.)

An incremental release keeps its copied store open and, on close, bulk-loads only the side
file of the segments it rendered (copied segments are already in the copied store).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NoReturn

import pyoxigraph as ox

# lenient: skip Oxigraph's IRI re-validation; every IRI was built by etl.graph.terms, and the
# tests parse every file back.
LENIENT = True
# Bytes buffered before a write to the loader's FIFO.
PIPE_BUFFER = 1 << 20
# CPUs the loader child may use (see load_path; 0: all). The bench sets it to compare.
LOADER_CPUS = int(os.environ.get("REEKG_GRAPH_LOADER_CPUS", "1"))


class DatasetWriter:
    """`dataset.nq` and the store it is loaded into.

    Without `store` (full release) a child process bulk-loads a new store at `store_dir` from
    a FIFO fed by `write`; with `store` (incremental release, a copied store) the rendered
    blocks also go to a side file that is bulk-loaded into `store` on close.
    """

    def __init__(self, dataset: Path, store_dir: Path, store: ox.Store | None = None) -> None:
        self.dataset = Path(dataset)
        self.store_dir = Path(store_dir)
        self.store = store
        self.bytes_written = 0
        self.load_seconds = 0.0
        self.wait_seconds = 0.0
        self.loader: dict[str, Any] = {}
        self._out: IO[bytes] = open(self.dataset, "wb")  # noqa: SIM115 (closed in close())
        self._delta_path = self.dataset.with_name(f".{self.dataset.name}.delta")
        self._delta: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._pipe: IO[bytes] | None = None
        if store is not None:
            self._delta = open(self._delta_path, "wb")  # noqa: SIM115
        else:
            self._started = time.perf_counter()
            self._fifo = self.dataset.with_name(f".{self.dataset.name}.fifo")
            os.mkfifo(self._fifo)
            self._proc = subprocess.Popen(
                [sys.executable, "-I", __file__, str(self.store_dir), str(self._fifo)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            self._pipe = self._open_fifo()

    def write(self, data: bytes | memoryview) -> None:
        """Append whole N-Quads lines (a block ending with a newline)."""
        self._out.write(data)
        if self._delta is not None:
            self._delta.write(data)
        if self._pipe is not None:
            try:
                self._pipe.write(data)
            except BrokenPipeError:
                self._fail()
        self.bytes_written += len(data)

    def append_copy(self, source: Path, ranges: list[list[int]]) -> int:
        """Append byte ranges of another release's dataset.nq, *not* loading them (the store
        already holds them); returns the bytes copied."""
        if self._proc is not None:
            raise ValueError("a full release renders every segment; nothing to copy")
        from etl.graph.segments import copy_ranges  # here: the loader child imports no etl

        self._out.flush()
        copied = copy_ranges(source, ranges, self._out.fileno())
        self.bytes_written += copied
        return copied

    def close(self) -> None:
        """fsync `dataset.nq`; wait for the loader (full) or bulk-load the side file."""
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        clock = time.perf_counter()
        if self._proc is not None:
            assert self._pipe is not None
            try:
                self._pipe.close()
            except BrokenPipeError:
                self._fail()
            out, err = self._proc.communicate()
            self._fifo.unlink(missing_ok=True)
            if self._proc.returncode:
                raise RuntimeError(f"graph loader failed: {err.decode(errors='replace')[-2000:]}")
            self.loader = json.loads(out.decode().splitlines()[-1])
            self.load_seconds = time.perf_counter() - self._started
            self.wait_seconds = time.perf_counter() - clock
            return
        assert self._delta is not None and self.store is not None
        self._delta.close()
        self.store.bulk_load(path=str(self._delta_path), format=ox.RdfFormat.N_QUADS,
                             lenient=LENIENT)  # fmt: skip
        self.store.flush()
        self.load_seconds = self.wait_seconds = time.perf_counter() - clock
        self._delta_path.unlink(missing_ok=True)

    def _open_fifo(self) -> IO[bytes]:
        """Open the FIFO for writing once the loader opened it for reading (fails if the
        loader exits first, instead of blocking for ever)."""
        assert self._proc is not None
        while True:
            try:
                fd = os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO or self._proc.poll() is not None:
                    self._fail()
                time.sleep(0.01)
                continue
            os.set_blocking(fd, True)
            return open(fd, "wb", buffering=PIPE_BUFFER)

    def _fail(self) -> NoReturn:
        assert self._proc is not None
        self._proc.kill()
        _, err = self._proc.communicate()
        self._fifo.unlink(missing_ok=True)
        raise RuntimeError(f"graph loader failed: {err.decode(errors='replace')[-2000:]}")

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
        self._out.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.communicate()
            if self._pipe is not None:
                with contextlib.suppress(BrokenPipeError):
                    self._pipe.close()
            self._fifo.unlink(missing_ok=True)
        if self._delta is not None:
            self._delta.close()
        self._delta_path.unlink(missing_ok=True)


def load_path(store_dir: Path, source: Path) -> dict[str, float]:
    """Bulk-load the N-Quads at `source` (a FIFO here) into a new store at `store_dir` in one
    call: Oxigraph reads a path with its own reader, as in its own load of `dataset.nq`."""
    clock = time.perf_counter()
    if LOADER_CPUS and hasattr(os, "sched_setaffinity"):
        # Oxigraph sizes its loader threads by the CPUs it may use: on one it keeps fewer
        # batches in memory (2M quads: 1.21 GB peak instead of 1.56 GB, same speed on this
        # shared 2-core machine) and leaves the other core to the generator.
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[-LOADER_CPUS:])
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS, lenient=LENIENT)
    store.flush()
    del store
    return {
        "seconds": time.perf_counter() - clock,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }


if __name__ == "__main__":
    print(json.dumps(load_path(Path(sys.argv[1]), Path(sys.argv[2]))), flush=True)
