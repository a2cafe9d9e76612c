"""Where the published graph lives on disk, and how readers open it.

Layout under the graph folder (`Settings.graph_dir`, default `var/published/graph/`):

    current -> releases/<release_id>      symlink, swapped atomically when a release is complete
    candidate -> releases/<release_id>    the release built last, waiting for its SHACL check
    releases/<release_id>/
        dataset.nq                        every named graph, N-Quads
        graphs/<name>.ttl                 one Turtle file per named graph (up to 1M triples)
        void.ttl                          DCAT/VoID description of the dataset
        manifest.json                     release id, creation time, triples per graph and in all
        store/                            Oxigraph store bulk-loaded from dataset.nq
        validation.json                   SHACL verdict of the release (written by the check)

A release folder is written completely before `current` points at it, so a reader (or a crash)
never sees half a graph.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyoxigraph

CURRENT = "current"
RELEASES = "releases"
MANIFEST = "manifest.json"
STORE = "store"
DATASET = "dataset.nq"


class GraphNotPublishedError(FileNotFoundError):
    """No graph release has been published in this folder yet."""


def current_release(graph_dir: Path) -> Path:
    """The folder of the release `current` points at."""
    link = Path(graph_dir) / CURRENT
    if not link.exists():
        raise GraphNotPublishedError(
            f"{link}: no published graph; run `make run` (or `reekg run`) first"
        )
    return link.resolve()


def read_manifest(graph_dir: Path) -> dict[str, Any]:
    """The manifest of the current release."""
    manifest: dict[str, Any] = json.loads(
        (current_release(graph_dir) / MANIFEST).read_text(encoding="utf-8")
    )
    return manifest


def open_published_store(graph_dir: Path) -> pyoxigraph.Store:
    """The current release's Oxigraph store, opened read-only."""
    return pyoxigraph.Store.read_only(str(current_release(graph_dir) / STORE))


def activate_release(graph_dir: Path, release_dir: Path) -> None:
    """Point `current` at `release_dir` atomically (new symlink, then rename over the old)."""
    graph_dir = Path(graph_dir)
    tmp = graph_dir / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release_dir, graph_dir), tmp)
    os.replace(tmp, graph_dir / CURRENT)


CANDIDATE = "candidate"


def current_or_none(graph_dir: Path) -> Path | None:
    """The current release folder, or None when nothing is published yet."""
    link = Path(graph_dir) / CURRENT
    return link.resolve() if link.exists() else None


CANDIDATES = "candidates"


def _candidate_link(graph_dir: Path, run_id: str | None) -> Path:
    return Path(graph_dir) / (f"{CANDIDATES}/{run_id}" if run_id else CANDIDATE)


def candidate_or_none(graph_dir: Path, run_id: str | None = None) -> Path | None:
    """The release waiting for validation: the one built by run `run_id` when given (so two
    runs at once each validate and publish their own), else the one built last; None if none."""
    for link in (_candidate_link(graph_dir, run_id), _candidate_link(graph_dir, None)):
        if link.exists():
            return link.resolve()
        if run_id is None:
            break
    return None


def candidate_releases(graph_dir: Path) -> set[Path]:
    """Every release some run is still validating or publishing (never to be pruned)."""
    links = [Path(graph_dir) / CANDIDATE]
    folder = Path(graph_dir) / CANDIDATES
    if folder.is_dir():
        links.extend(folder.iterdir())
    return {link.resolve() for link in links if link.exists()}


def set_candidate(graph_dir: Path, release_dir: Path, run_id: str | None = None) -> None:
    """Point `candidate` (and `candidates/<run_id>`) at a freshly built release, atomically."""
    for link in {_candidate_link(graph_dir, None), _candidate_link(graph_dir, run_id)}:
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(release_dir, link.parent), tmp)
        os.replace(tmp, link)


def clear_candidate(graph_dir: Path, run_id: str) -> None:
    """Forget run `run_id`'s candidate link once its release is published (or rejected)."""
    _candidate_link(graph_dir, run_id).unlink(missing_ok=True)
