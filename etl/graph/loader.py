"""Write `dataset.nq`, then bulk-load the release's store from it in one call.

Oxigraph bulk-loads fastest from one file path in one call: loading the file in parts while it
is written (tried: 256 MB parts in a thread) made every later part overlap the store's sorted
files already written, and the whole load took several times Oxigraph's own load of the same
file. So `DatasetWriter` appends the generated N-Quads to `dataset.nq` and, on close,
bulk-loads either the whole file (full release) or only the side file of the segments it
rendered (incremental release: copied segments are already in the copied store).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox

from etl.graph.segments import copy_ranges


class DatasetWriter:
    """`dataset.nq` and the store it is loaded into when the writer closes."""

    def __init__(self, dataset: Path, store: ox.Store, *, delta: bool = False) -> None:
        self.dataset = Path(dataset)
        self.store = store
        self.bytes_written = 0
        self.load_seconds = 0.0
        self._out: IO[bytes] = open(self.dataset, "wb")  # noqa: SIM115 (closed in close())
        self._delta_path = self.dataset.with_name(f".{self.dataset.name}.delta")
        self._delta: IO[bytes] | None = open(self._delta_path, "wb") if delta else None  # noqa: SIM115

    def write(self, data: bytes | memoryview) -> None:
        """Append whole N-Quads lines (a block ending with a newline)."""
        self._out.write(data)
        if self._delta is not None:
            self._delta.write(data)
        self.bytes_written += len(data)

    def append_copy(self, source: Path, ranges: list[list[int]]) -> int:
        """Append byte ranges of another release's dataset.nq, *not* loading them (the store
        already holds them); returns the bytes copied."""
        self._out.flush()
        copied = copy_ranges(source, ranges, self._out.fileno())
        self.bytes_written += copied
        return copied

    def close(self) -> None:
        """fsync `dataset.nq`, then bulk-load it (or the rendered segments only) into the store."""
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        path = self.dataset
        if self._delta is not None:
            self._delta.close()
            path = self._delta_path
        clock = time.perf_counter()
        # lenient: skip Oxigraph's IRI re-validation; every IRI was built by etl.graph.terms,
        # and the tests parse every file back.
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
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
        self._out.close()
        if self._delta is not None:
            self._delta.close()
        self._delta_path.unlink(missing_ok=True)
