"""README's SQL examples run on the published warehouse and return the figures README shows."""

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

README = Path(__file__).parents[2] / "README.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _format(value: object) -> str:
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else str(number)


def test_readme_has_sql_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example{i}" for i in range(len(BLOCKS))])
def test_readme_sql_example(published, block):
    query = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
    expected = " ".join(line[2:] for line in block.splitlines() if line.startswith("--"))
    result = published.execute(query).fetchall()
    assert result, "example returned no rows"
    rendered = {_format(v) for row in result for v in row}
    for token in NUMBER.findall(expected.replace("+", " ")):
        assert _format(token) in rendered, (
            f"README claims {token}, query returned {sorted(rendered)[:40]}"
        )


SPARQL_BLOCKS = re.findall(r"```sparql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_sparql_examples():
    assert len(SPARQL_BLOCKS) >= 2


@pytest.mark.parametrize(
    "block", SPARQL_BLOCKS, ids=[f"sparql{i}" for i in range(len(SPARQL_BLOCKS))]
)
def test_readme_sparql_example(pipeline, block):
    from etl.graph.store import open_published_store

    settings, _ = pipeline
    store = open_published_store(settings.graph_dir)
    query = "\n".join(line for line in block.splitlines() if not line.startswith("# "))
    expected = " ".join(line[2:] for line in block.splitlines() if line.startswith("# "))
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    rows = [[term.value for term in row] for row in result]
    assert rows, "example returned no rows"
    rendered = " ".join(str(v) for row in rows for v in row)
    for name in [n.strip() for n in expected.split(",") if n.strip()]:
        assert name.split("/")[0].strip() in rendered, f"README claims {name!r}"
