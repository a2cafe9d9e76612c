"""Incremental release: reuse a previous release's segments, store and Turtle files by digest.

`BaseRelease` opens the release `current` points at (when its manifest has segments written
with the same digest version and no duplicate quads). The new release then
1. copies the base store (`Store.backup`: hard links to its immutable files, no copy),
2. computes the digest of every segment from the warehouse (`planned_digests`, no rendering)
   and removes from the copied store the quads of the base segments that changed or vanished,
3. writes dataset.nq copying unchanged segments' bytes from the base file and rendering (and
   bulk-loading) only the new and changed ones,
4. hard-links the Turtle file of every graph none of whose segments changed.
Landing one trade month so re-renders one segment (a few thousand rows) of the trade graph.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyoxigraph as ox

from etl.graph import store as published
from etl.graph.mapping import TableMapping
from etl.graph.nquads import Counting, data_set_blocks, frames, ontology_text, table_exists
from etl.graph.segments import DIGEST_VERSION, Segment, read_ranges, run_digest, runs, text_digest

PROVENANCE_KEY = "provenance"


class BaseRelease:
    """A published release whose segments the next release may reuse."""

    def __init__(self, release_dir: Path, manifest: dict[str, object]) -> None:
        self.release_dir = Path(release_dir)
        self.dataset = self.release_dir / published.DATASET
        raw = manifest["segments"]
        assert isinstance(raw, list)
        self.segments = {s["key"]: Segment(**s) for s in raw}
        self.taken: set[str] = set()
        self.files: dict[str, object] = manifest.get("graphs", {})  # type: ignore[assignment]

    @classmethod
    def open(cls, release_dir: Path | None) -> BaseRelease | None:
        """The release as a base, or None when it cannot be one (then build in full)."""
        if release_dir is None:
            return None
        path = Path(release_dir) / published.MANIFEST
        if not path.is_file() or not (Path(release_dir) / published.STORE).is_dir():
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
        usable = (
            manifest.get("digest_version") == DIGEST_VERSION
            and manifest.get("segments")
            and not manifest.get("duplicates")
        )
        return cls(release_dir, manifest) if usable else None

    def take(self, key: str, digest: str) -> Segment | None:
        segment = self.segments.get(key)
        if segment is None or segment.digest != digest:
            return None
        self.taken.add(key)
        return segment

    def copy(self, segment: Segment, out: Counting) -> Segment:
        ranges = out.copy(self.dataset, segment.ranges)
        return Segment(segment.key, segment.graph, segment.digest, ranges, segment.lines,
                       segment.rows, segment.sources, segment.files)  # fmt: skip

    def copy_store(self, target: Path) -> ox.Store:
        """A writable copy of the base store at `target` (hard links where possible)."""
        ox.Store.read_only(str(self.release_dir / published.STORE)).backup(str(target))
        return ox.Store(str(target))

    def remove_stale(self, store: ox.Store, planned: dict[str, str]) -> set[str]:
        """Remove the quads of base segments not planned with the same digest; their graphs."""
        changed = set()
        for key, segment in self.segments.items():
            if planned.get(key) == segment.digest:
                continue
            changed.add(segment.graph)
            for block in read_ranges(self.dataset, segment.ranges):
                for quad in ox.parse(block, format=ox.RdfFormat.N_QUADS, lenient=True):
                    store.remove(quad)
        return changed

    def unchanged_turtle(self, name: str, changed: set[str]) -> Path | None:
        """The base Turtle file of graph `name` when none of its segments changed."""
        info = self.files.get(name)
        if name in changed or not isinstance(info, dict) or not info.get("file"):
            return None
        path = self.release_dir / str(info["file"])
        return path if path.is_file() else None


def planned_digests(
    con: duckdb.DuckDBPyConnection, mappings: Sequence[TableMapping], chunk_rows: int
) -> dict[str, str]:
    """The digest of every segment the warehouse gives now (read, not rendered)."""
    planned: dict[str, str] = {}
    graphs: set[str] = set()
    for mapping in mappings:
        if not table_exists(con, mapping.table):
            continue
        for key, graph_name, run in runs(frames(con, mapping, chunk_rows), mapping):
            planned[key] = run_digest(run)
            graphs.add(graph_name)
    for name, _, text, _ in data_set_blocks(graphs):
        planned[f"datasets|{name}"] = text_digest(text)
    planned["ontology"] = text_digest(ontology_text()[0])
    return planned


def link_turtle(source: Path, target: Path) -> None:
    """Reuse a Turtle file: hard link (same file system), else copy."""
    try:
        os.link(source, target)
    except OSError:
        target.write_bytes(source.read_bytes())
