"""N-Triples terms generated in bulk parse back to exactly the values they came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.graph import terms


def render(values: list[Any], expr: Callable[[pl.Expr], pl.Expr]) -> list[str | None]:
    return pl.DataFrame({"v": values}).select(expr(pl.col("v")).alias("t"))["t"].to_list()


def parse_object(term: str) -> ox.Literal | ox.NamedNode:
    quads = list(ox.parse(f"<http://s> <http://p> {term} .", format=ox.RdfFormat.N_TRIPLES))
    obj = quads[0].object
    assert isinstance(obj, ox.Literal | ox.NamedNode)
    return obj


@pytest.mark.parametrize(
    ("value", "lexical"),
    [
        (73403.0, "73403"),
        (52306.5, "52306.5"),
        (0.0001, "0.0001"),
        (0.1 + 0.2, "0.3"),
        (1e20, "100000000000000000000"),
        (-12.25, "-12.25"),
        (-0.0, "0"),
        (0.0, "0"),
    ],
)
def test_decimals_are_canonical(value: float, lexical: str) -> None:
    out = render([value], terms.decimal_lexical)[0]
    assert out == lexical
    # Oxigraph keeps the same lexical form, so the text file and the store agree.
    literal = parse_object(f'"{out}"^^<{terms.XSD}decimal>')
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), literal))
    assert next(iter(store)).object.value == lexical


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_any_text_round_trips_as_literal(text: str) -> None:
    term = render([text], lambda e: terms.literal(e, "string"))[0]
    assert term is not None
    assert parse_object(term).value == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_any_key_gives_a_valid_iri(key: str) -> None:
    term = render([key], lambda e: terms.entity_iri("https://w3id.org/reekg/id/org/", e))[0]
    assert term is not None
    node = parse_object(term)
    assert isinstance(node, ox.NamedNode)
    assert node.value.startswith("https://w3id.org/reekg/id/org/")
    assert "/" not in node.value.removeprefix("https://w3id.org/reekg/id/org/")


def test_safe_keys_are_kept_as_they_are() -> None:
    assert render(["CN-JX", "china-rare-earth-group", None], terms.segment) == [
        "CN-JX", "china-rare-earth-group", None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a b", "<https://example.org/a%20b>"),
        ("http://x.cn/nd.jsp?mid=307&id=18#x", "<http://x.cn/nd.jsp?mid=307&id=18#x>"),
        ("not a url", None),
        ("http://[::1/broken", None),
        ("ftp://example.org/x", None),
        ("https://example.org:8080/a?b=1#c", "<https://example.org:8080/a?b=1#c>"),
        (None, None),
    ],
)
def test_urls(url: str | None, expected: str | None) -> None:
    assert render([url], terms.url_iri) == [expected]


def test_language_tag_is_checked() -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        terms.lang_literal(pl.col("v"), "not a tag")
