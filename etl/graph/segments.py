"""Segments of `dataset.nq`: the unit an incremental release reuses by content digest.

A segment is a contiguous run of rows of one mapping in one named graph (for the trade flows:
one month of one trade graph, `SEGMENT_BY`), or one small hand-built block (data sets,
ontology, provenance). The manifest records each segment's digest (of its *source rows*, so it
is known before rendering), its byte ranges in `dataset.nq`, its line count and the sources and
files it cites. The next release re-renders only the segments whose digest changed and copies
the others' bytes from the previous `dataset.nq` (etl/graph/incremental.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from etl.graph.mapping import TableMapping

# Mapping name -> columns whose values split its rows into segments (beside the graph).
SEGMENT_BY: dict[str, tuple[str, ...]] = {"trade_flows": ("year", "month")}
DIGEST_VERSION = f"polars-{pl.__version__}"


@dataclass
class Segment:
    """One segment of a release's dataset.nq."""

    key: str
    graph: str
    digest: str
    ranges: list[list[int]] = field(default_factory=list)
    lines: int = 0
    rows: int = 0
    sources: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def frame_digest(frame: pl.DataFrame) -> int:
    """Order-independent 64-bit digest of a frame's rows (sum of row hashes, wrapping)."""
    hashes = frame.hash_rows(seed=0).to_numpy()
    return int(np.sum(hashes, dtype=np.uint64))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def runs(
    frames: Iterator[pl.DataFrame], mapping: TableMapping
) -> Iterator[tuple[str, str, list[pl.DataFrame]]]:
    """(segment key, graph, frames) for each contiguous run of rows of one segment."""
    columns = ([mapping.graph_column] if mapping.graph_column else []) + list(
        SEGMENT_BY.get(mapping.name, ())
    )
    seen: dict[str, int] = {}
    current: tuple[Any, ...] | None = None
    bucket: list[pl.DataFrame] = []

    def emit(values: tuple[Any, ...]) -> tuple[str, str, list[pl.DataFrame]]:
        graph_name = str(values[0]) if mapping.graph_column else mapping.graph
        base = "|".join([mapping.name, *(str(v) for v in values)])
        seen[base] = seen.get(base, 0) + 1
        return f"{base}#{seen[base]}", graph_name, bucket

    for frame in frames:
        pieces = (
            frame.partition_by(columns, maintain_order=True, as_dict=True)
            if columns
            else {(): frame}
        )
        for values, piece in pieces.items():
            if current is not None and values != current:
                yield emit(current)
                bucket = []
            current = values
            bucket.append(piece)
    if current is not None:
        yield emit(current)


def run_digest(frames: list[pl.DataFrame]) -> str:
    total = sum(frame_digest(f) for f in frames) % 2**64
    return f"{sum(f.height for f in frames)}-{total:016x}"


def copy_ranges(source: Path, ranges: list[list[int]], out_fd: int) -> int:
    """Copy byte ranges of `source` to the end of the open file `out_fd` (in the kernel)."""
    copied = 0
    with open(source, "rb") as src:
        for offset, length in ranges:
            done = 0
            while done < length:
                n = os.copy_file_range(src.fileno(), out_fd, length - done, offset + done)
                if n == 0:
                    raise OSError(f"{source}: short copy at byte {offset + done}")
                done += n
            copied += length
    return copied


def read_ranges(source: Path, ranges: list[list[int]]) -> Iterator[bytes]:
    with open(source, "rb") as src:
        for offset, length in ranges:
            src.seek(offset)
            yield src.read(length)
