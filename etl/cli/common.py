"""What every `reekg` command shares: the consoles, the one-line error and output helpers."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from etl.settings import Settings

EXIT_ERROR = 1
EXIT_USAGE = 2

stdout = Console()
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """An error to report as one line (exit code 1)."""


def query_text(query: str | None, file: Path | None, kind: str) -> str:
    if (query is None) == (file is None):
        raise CliError(f"give a {kind} query as an argument or with -f FILE (exactly one)")
    if file is not None:
        if not file.is_file():
            raise CliError(f"{file}: no such query file")
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{file}: cannot read query file ({exc})") from exc
    assert query is not None
    return query


def write(data: bytes, output: Path | None, force: bool = False) -> None:
    from etl.query.output import OutputRefused, protected_paths, write_output

    if output is None:
        sys.stdout.buffer.write(data)
        if data and not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return
    try:
        write_output(data, output, force, protected_paths(Settings.from_env()))
    except OutputRefused as exc:
        raise CliError(str(exc)) from exc
    stderr.print(f"wrote {output} ({len(data):,} bytes)", markup=False)


def inside(folder: Path, name: str, what: str) -> Path:
    """`folder/name`, refusing names that would leave `folder` (`..`, absolute, symlinks out)."""
    root = folder.resolve()
    target = (root / name).resolve()
    if not target.is_relative_to(root) or target == root:
        raise CliError(f"{what} {name!r} is not inside {root}")
    return target
