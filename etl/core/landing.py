"""The landing folder, one mechanism for every domain: which files count, when they are ready,
what they hold, and how landed rows merge with the bundled ones.

- A file counts when it is a regular file (not a symlink), its path has no `..` and it resolves
  inside the landing folder; anything else is ignored, so a sensor never makes an asset read
  outside the folder.
- A file modified less than `SETTLE_SECONDS` ago is left for the next tick (still being copied).
- A CSV feeds a contract when its header holds every required column of that contract,
  whatever the file is called. A CSV that matches no contract of its folder is reported
  (`unmatched`), never silently skipped.
- Merge order (`merge_by_key`): the bundled file first, then the landed files in order of their
  path; for each key of the contract the last file holding it wins. A landed file therefore
  replaces only the keys it holds, never deletes rows it does not mention, and removing it
  restores the bundled rows of its keys on the next run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.core.contracts import Contract, ContractResult, read_contract

SETTLE_SECONDS = 2.0
LANDING_LABEL = "landing"  # prefix of a landed file's `source_file` label
HEADER_BYTES = 65536


def inside(root: Path, path: Path) -> bool:
    """True when `path` is a regular file, not a symlink, resolving to a place inside `root`."""
    try:
        if path.is_symlink() or ".." in path.relative_to(root).parts:
            return False
        resolved = path.resolve(strict=True)
    except (OSError, ValueError):
        return False
    return resolved.is_file() and resolved.is_relative_to(Path(root).resolve())


def settled(path: Path, now: float | None = None) -> bool:
    """True when the file was last modified at least `SETTLE_SECONDS` ago."""
    now = time.time() if now is None else now
    return now - path.stat().st_mtime >= SETTLE_SECONDS


def content_digest(data: bytes) -> str:
    """Short content digest used by the sensors' cursors (change detection by content)."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """`content_digest` of a file's bytes, streamed (landed trade files can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()[:16]


def files_in(landing: Path, folder: str | Sequence[str], pattern: str = "*.csv") -> list[Path]:
    """Files of `landing/<folder>` matching `pattern` that count (see `inside`), sorted."""
    parts = (folder,) if isinstance(folder, str) else tuple(folder)
    base = Path(landing).joinpath(*parts)
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob(pattern) if inside(Path(landing), p))


def header_of(path: Path) -> list[str]:
    """The header names of a CSV (BOM and blanks stripped); empty when unreadable."""
    try:
        head = path.read_bytes()[:HEADER_BYTES].decode("utf-8-sig")
        row = next(csv.reader(io.StringIO(head, newline="")), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    return [h.strip().strip("\ufeff") for h in row]


def matches(header: Iterable[str], contract: Contract) -> bool:
    """True when `header` holds every required column of `contract`."""
    names = set(header)
    return all(f.name in names for f in contract.fields if f.required)


def landed_for(
    landing: Path, folder: str, contract: Contract, now: float | None = None
) -> list[Path]:
    """Settled CSVs of `landing/<folder>` whose header matches `contract`, in merge order."""
    return [
        p for p in files_in(landing, folder) if settled(p, now) and matches(header_of(p), contract)
    ]


def unmatched(
    landing: Path, folder: str, contracts: Sequence[Contract], known: Iterable[str] = ()
) -> list[str]:
    """One line per CSV of `landing/<folder>` that matches none of `contracts` (and is not one
    of the `known` file names handled by name)."""
    names = set(known)
    lines = []
    for path in files_in(landing, folder):
        if path.name in names:
            continue
        header = header_of(path)
        if not any(matches(header, c) for c in contracts):
            wanted = " or ".join(c.name for c in contracts)
            lines.append(
                f"{folder}/{path.name}: header matches no contract ({wanted}); file ignored"
            )
    return lines


def label_of(landing: Path, path: Path) -> str:
    """`source_file` label of a landed file: `landing/<relative path>`."""
    return f"{LANDING_LABEL}/{Path(path).relative_to(landing).as_posix()}"


@dataclass(frozen=True)
class MergedRead:
    """Contract results of the bundled and landed files, and their rows merged by key."""

    results: tuple[ContractResult, ...]
    labels: tuple[str, ...]
    good: pl.DataFrame
    rejected: pl.DataFrame
    superseded: int


def merge_by_key(
    contract: Contract,
    bundled: Path | None,
    bundled_label: str,
    landing: Path,
    landed: Sequence[Path],
) -> MergedRead:
    """Read the bundled file (if any) and each landed file under `contract`; the later file
    wins for each key (see the module docstring)."""
    paths: list[tuple[Path, str]] = []
    if bundled is not None and bundled.is_file():
        paths.append((bundled, bundled_label))
    paths += [(p, label_of(landing, p)) for p in landed]
    results = tuple(read_contract(p, contract, label=label) for p, label in paths)
    goods = [r.good for r in results]
    good = pl.concat(goods, how="vertical") if goods else pl.DataFrame()
    before = good.height
    if contract.key and good.height:
        good = good.unique(subset=list(contract.key), keep="last", maintain_order=True)
    rejected = pl.concat([r.rejected for r in results], how="vertical") if results else None
    return MergedRead(
        results,
        tuple(label for _, label in paths),
        good,
        rejected if rejected is not None else pl.DataFrame(),
        before - good.height,
    )


def landed_files_of(landing_dir: str | Path, folder: str, contract: Contract) -> list[Path]:
    """What an asset reads from landing: every CSV of `landing/<folder>` matching `contract`
    (no settle wait: the asset runs after the sensor or on demand)."""
    return landed_for(Path(landing_dir), folder, contract, now=float("inf"))
