"""Write `dataset.nq` and bulk-load the release's store from it at the same time.

Oxigraph bulk-loads fastest from a file path. `DatasetWriter` appends the generated N-Quads to
`dataset.nq` and also cuts them into parts of about `PART_BYTES`; a loader thread bulk-loads
each finished part into the store (by path, then deletes it) while generation goes on, so
loading overlaps generation instead of following it. Memory stays bounded: at most
`QUEUED_PARTS` parts wait on disk, and no part is held in Python.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox

from etl.graph.segments import copy_ranges

PART_BYTES = 256 * 1024 * 1024
QUEUED_PARTS = 2


class DatasetWriter:
    """`dataset.nq` plus the store it is loaded into, part by part, in a background thread."""

    def __init__(self, dataset: Path, store: ox.Store, part_bytes: int = PART_BYTES) -> None:
        self.dataset = Path(dataset)
        self.store = store
        self.part_bytes = part_bytes
        self.bytes_written = 0
        self._out: IO[bytes] = open(self.dataset, "wb")  # noqa: SIM115 (closed in close())
        self._part: IO[bytes] | None = None
        self._part_size = 0
        self._parts = 0
        self._queue: queue.Queue[Path | None] = queue.Queue(maxsize=QUEUED_PARTS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="graph-bulk-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        while (path := self._queue.get()) is not None:
            try:
                if self._error is None:
                    # lenient: skip Oxigraph's IRI re-validation; every IRI was built by
                    # etl.graph.terms, and the tests parse every file back.
                    self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
            except BaseException as exc:  # re-raised in close()
                self._error = exc
            finally:
                path.unlink(missing_ok=True)

    def write(self, data: bytes | memoryview) -> None:
        """Append whole N-Quads lines (a block ending with a newline)."""
        if self._error is not None:
            raise self._error
        self._out.write(data)
        if self._part is None:
            self._part = open(self._part_path(), "wb")  # noqa: SIM115 (closed in _cut())
        self._part.write(data)
        self._part_size += len(data)
        self.bytes_written += len(data)
        if self._part_size >= self.part_bytes:
            self._cut()

    def append_copy(self, source: Path, ranges: list[list[int]]) -> int:
        """Append byte ranges of another release's dataset.nq, *not* loading them (the store
        already holds them); returns the bytes copied."""
        self._out.flush()
        copied = copy_ranges(source, ranges, self._out.fileno())
        self.bytes_written += copied
        return copied

    def _part_path(self) -> Path:
        return self.dataset.with_name(f".{self.dataset.name}.part{self._parts}")

    def _cut(self) -> None:
        if self._part is None:
            return
        self._part.close()
        self._queue.put(self._part_path())
        self._part, self._part_size = None, 0
        self._parts += 1

    def close(self) -> None:
        """Flush the last part, wait for the store to have every quad, fsync `dataset.nq`."""
        try:
            self._cut()
        finally:
            self._queue.put(None)
            self._thread.join()
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
        if self._error is not None:
            raise self._error
        self.store.flush()

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
        self._error = self._error or exc
        self._queue.put(None)
        self._thread.join()
        self._out.close()
        if self._part is not None:
            self._part.close()
        for leftover in self.dataset.parent.glob(f".{self.dataset.name}.part*"):
            leftover.unlink(missing_ok=True)
