"""The import graph of `etl/`, function-level imports included: cycles and layer breaches.

`python -m tools.imports` prints every cycle and every import that breaks the layer rule
(cli -> definitions -> {ops, domains} -> core -> settings; a domain imports no other domain
except reference's public lookups and never ops) and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "etl"
FOUNDATION = {"etl", "etl.settings", "etl.resources", "etl.core"}
REFERENCE_PUBLIC = {"etl.reference.aliases", "etl.reference.lookups"}
# Known breaches, each with its way out; `tests/core/test_import_graph.py` fails on any other.
KNOWN_BREACHES = {
    # the landing sensor still knows capacity's file contracts; way out: domains declare their
    # landing patterns and contracts, ops only matches headers
    "etl.ops.landing -> etl.capacity.crosscheck",
    "etl.ops.landing -> etl.capacity.models",
    "etl.ops.landing -> etl.reference.models",
    # read-only surfaces open the published release; way out: a release reader in etl/publish
    "etl.query.endpoint -> etl.graph.store",
    "etl.query.worker -> etl.graph.store",
    # the query domain registers the external-store asset and the report asks the gate; way out:
    # both assets move into etl/publish
    "etl.query.definitions -> etl.publish.external",
    "etl.query.definitions -> etl.publish.graph_store",
    "etl.report.assets -> etl.publish.gate",
}


def module_name(path: Path, root: Path = ROOT) -> str:
    """Dotted module name of a source file (`etl/core/marts.py` -> `etl.core.marts`)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p, root): p for p in sorted((root / PACKAGE).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _imported(node: ast.AST, here: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = here.split(".") if is_package else here.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        return [f"{base}.{a.name}" for a in node.names] + [base]
    return []


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> modules of the package it imports anywhere in its body."""
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _imported(node, name, path.name == "__init__.py"):
                if not target.startswith(PACKAGE):
                    continue
                resolved = _resolve(target, known)
                if resolved and resolved != name and resolved != PACKAGE:
                    graph[name].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer(module: str) -> str:
    """`foundation`, `ops`, a domain's name, `definitions` or `cli`."""
    if module in FOUNDATION or module.startswith("etl.core."):
        return "foundation"
    if module == "etl.definitions":
        return "definitions"
    return module.split(".")[1]  # a domain, ops or cli


def breaches(graph: dict[str, set[str]]) -> list[str]:
    """Imports that point up or sideways in the layer rule."""
    # publish is the last domain: it may read every other domain (graph release, warehouse)
    rank = {"foundation": 0, "ops": 1, "publish": 1.5, "definitions": 2, "cli": 3}
    found = []
    for source, targets in sorted(graph.items()):
        src = layer(source)
        for target in sorted(targets):
            dst = layer(target)
            if src == dst or dst == "foundation":
                continue
            if src not in rank:  # a domain
                allowed = dst == "reference" and target in REFERENCE_PUBLIC
            elif src == "ops":
                allowed = False
            else:
                allowed = rank.get(dst, 1) < rank[src]
            if not allowed:
                found.append(f"{source} -> {target}")
    return found


def main() -> int:
    graph = import_graph()
    edges = sum(len(t) for t in graph.values())
    found = cycles(graph)
    bad = breaches(graph)
    print(f"{len(graph)} modules, {edges} imports inside {PACKAGE}/")
    for component in found:
        print("cycle: " + " <-> ".join(component))
    for line in bad:
        print(("known " if line in KNOWN_BREACHES else "") + "layer: " + line)
    new = [line for line in bad if line not in KNOWN_BREACHES]
    print(f"{len(found)} cycles, {len(new)} new layer breaches ({len(bad) - len(new)} known)")
    return 1 if found or new else 0


if __name__ == "__main__":
    sys.exit(main())
