"""The import graph of etl/ (function-level imports included) has no cycle and keeps the layers."""

from pathlib import Path

from tools.imports import KNOWN_BREACHES, breaches, cycles, import_graph


def test_etl_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_layers_import_downwards_only() -> None:
    found = set(breaches(import_graph()))
    assert found - KNOWN_BREACHES == set()
    assert KNOWN_BREACHES - found == set(), "a known breach is fixed: drop it from the list"


def test_the_checker_sees_function_level_cycles(tmp_path: Path) -> None:
    package = tmp_path / "etl"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("def f():\n    from etl.a import two\n")
    (package / "a" / "two.py").write_text("from etl.a.one import f\n")
    (package / "three.py").write_text("from .a import two\n")
    graph = import_graph(tmp_path)
    assert graph["etl.three"] == {"etl.a", "etl.a.two"}
    assert cycles(graph) == [["etl.a.one", "etl.a.two"]]
