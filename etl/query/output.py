"""What the command line prints and writes, made safe: tables that never interpret data as
markup, and output files that never overwrite the published artefacts or a file by accident."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from rich.table import Column, Table
from rich.text import Text

from etl.query.prefixes import abbreviate, ontology_prefixes
from etl.settings import Settings


class OutputRefused(Exception):
    """`--output` names a file reekg will not write; the message is one line."""


def data_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    prefixes: dict[str, str] | None = None,
    **options: Any,
) -> Table:
    """A Rich table whose headers and cells are plain text: `[red]`, `[/x]` or `[link=...]` in
    the data are shown as typed, never interpreted as Rich markup. IRIs are shortened with the
    ontology's prefixes (`ree:Quota`, `id:org/...`, or `prefixes`) and cells wrap instead of
    being cut, so rows that differ only at the end of an IRI can be told apart."""
    known = ontology_prefixes() if prefixes is None else prefixes
    table = Table(*(Column(header=Text(str(c)), overflow="fold") for c in columns), **options)
    for row in rows:
        table.add_row(*(Text(_cell(v, known)) for v in row))
    return table


def _cell(value: Any, prefixes: dict[str, str]) -> str:
    if value is None:
        return ""
    text = str(value)
    return abbreviate(text, prefixes) if text.startswith(("http://", "https://")) else text


def sparql_json_rows(body: bytes) -> tuple[list[str], list[list[str]]]:
    """Variables and plain cell values (IRIs and lexical forms bare, blank nodes `_:id`) of a
    SPARQL JSON SELECT result."""
    data = json.loads(body)
    variables = list(data["head"]["vars"])

    def plain(term: dict[str, Any] | None) -> str:
        if term is None:
            return ""
        if term["type"] == "bnode":
            return f"_:{term['value']}"
        if term["type"] == "triple":
            return " ".join(plain(term["value"][k]) for k in ("subject", "predicate", "object"))
        return str(term["value"])

    rows = [[plain(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
    return variables, rows


def protected_paths(settings: Settings) -> list[Path]:
    """Files and folders `--output` never writes into: the warehouses and the graph folder."""
    return [settings.published_warehouse, settings.warehouse, settings.graph_dir]


def check_output(output: Path, force: bool, protected: Iterable[Path] = ()) -> Path:
    """The resolved target, or `OutputRefused`: a folder, a missing parent, a protected
    artefact (even with `force`), or an existing file without `force`."""
    target = output.resolve()
    if target.is_dir():
        raise OutputRefused(f"{output}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise OutputRefused(f"{output.parent}: no such folder")
    for path in protected:
        guarded = Path(path).resolve()
        if target == guarded or target.is_relative_to(guarded):
            raise OutputRefused(f"{output}: refusing to overwrite the published data ({guarded})")
    if target.is_file() and not force:
        raise OutputRefused(f"{output}: already exists; pass --force to overwrite it")
    return target


def write_output(data: bytes, output: Path, force: bool, protected: Iterable[Path] = ()) -> int:
    """Write `data` to `output` with the rules of `open_output`. Returns bytes written."""
    with open_output(output, force, protected) as out:
        out.write(data)
    return len(data)


@contextmanager
def open_output(output: Path, force: bool, protected: Iterable[Path] = ()) -> Iterator[IO[bytes]]:
    """A binary file to stream into, after `check_output`: a new file is created exclusively;
    an overwrite (with `force`) is written to a temporary file renamed over the target only
    when the block succeeds (a failed export leaves the old file and no partial one)."""
    target = check_output(output, force, protected)
    if target.exists() and not target.is_file():  # /dev/null, a named pipe: nothing to replace
        with target.open("wb") as out:
            yield out
        return
    if not force:
        try:
            out = target.open("xb")
        except FileExistsError as exc:
            raise OutputRefused(f"{output}: already exists; pass --force to overwrite it") from exc
        try:
            with out:
                yield out
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
