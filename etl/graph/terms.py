"""N-Triples terms as Polars expressions: IRIs, escaped literals and canonical numbers, in bulk.

Every function returns an expression that renders one column as N-Triples term text, so a whole
table turns into N-Quads lines with a few vectorised string operations instead of one Python
call per triple. Literals are written in the canonical form Oxigraph stores (decimals without
trailing zeros, booleans as true/false), so the text file, the store and the Turtle files agree
on every term and on the triple count.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote

import polars as pl

XSD = "http://www.w3.org/2001/XMLSchema#"
Datatype = Literal["string", "decimal", "integer", "date", "dateTime", "boolean"]

# Characters an IRI segment may keep as they are; everything else is percent-encoded (UTF-8).
SAFE_SEGMENT = r"^[A-Za-z0-9._~-]*$"
# Characters N-Triples forbids inside <...>; a URL keeps its structure, only these are encoded.
IRI_FORBIDDEN = {c: f"%{ord(c):02X}" for c in ' <>"{}|^`\\'}
DECIMAL_PLACES = 6


def iri(value: str) -> str:
    """`<value>` for a constant IRI."""
    return f"<{value}>"


def _encode_segments(series: pl.Series) -> pl.Series:
    """Percent-encode the values that are not already IRI-safe (only distinct ones, in Python)."""
    unsafe = series.filter(~series.str.contains(SAFE_SEGMENT) & series.is_not_null()).unique()
    if unsafe.len() == 0:
        return series
    encoded = {v: quote(v, safe="-._~") for v in unsafe.to_list()}
    return series.replace(encoded)


def segment(expr: pl.Expr) -> pl.Expr:
    """An IRI-safe path segment of `expr` (cast to text)."""
    return expr.cast(pl.String).map_batches(_encode_segments, return_dtype=pl.String)


def entity_iri(base: str, key: pl.Expr) -> pl.Expr:
    """`<{base}{key}>` with the key percent-encoded where needed; null stays null."""
    return pl.concat_str([pl.lit(f"<{base}"), segment(key), pl.lit(">")])


def url_iri(expr: pl.Expr) -> pl.Expr:
    """A web address as an IRI object; values that are not http(s) URLs become null."""
    text = expr.cast(pl.String).str.strip_chars()
    for char, code in IRI_FORBIDDEN.items():
        text = text.str.replace_all(char, code, literal=True)
    text = text.str.replace_all(r"[\x00-\x1f\x7f]", "")
    return (
        pl.when(text.str.contains(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?([/?#].*)?$"))
        .then(pl.concat_str([pl.lit("<"), text, pl.lit(">")]))
        .otherwise(pl.lit(None, pl.String))
    )


def escape(expr: pl.Expr) -> pl.Expr:
    """The inside of an N-Triples string literal: backslash, quote, LF and CR escaped."""
    return (
        expr.cast(pl.String)
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all("\n", "\\n", literal=True)
        .str.replace_all("\r", "\\r", literal=True)
    )


def _exact_decimal(value: pl.Expr) -> pl.Expr:
    """Canonical decimal text by integer arithmetic (for values Polars prints with an exponent)."""
    scale = 10**DECIMAL_PLACES
    magnitude = value.abs()
    floor = magnitude.floor()
    frac_units = ((magnitude - floor) * scale).round(0).cast(pl.Int64)
    carry = frac_units >= scale  # 0.9999999 rounds up to the next whole number
    whole_number = floor.cast(pl.Int128) + carry.cast(pl.Int128)
    frac_units = pl.when(carry).then(pl.lit(0, pl.Int64)).otherwise(frac_units)
    whole = whole_number.cast(pl.String)
    frac = frac_units.cast(pl.String).str.zfill(DECIMAL_PLACES).str.strip_chars_end("0")
    is_zero = (whole_number == 0) & (frac_units == 0)
    sign = pl.when((value < 0) & ~is_zero).then(pl.lit("-")).otherwise(pl.lit(""))
    body = pl.when(frac == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    return pl.concat_str([sign, body])


def _decimal_series(series: pl.Series) -> pl.Series:
    rounded = series.cast(pl.Float64).round(DECIMAL_PLACES)
    # Polars prints the shortest text that round-trips: 73403.0, 52306.5, 0.3 after rounding.
    text = (
        pl.DataFrame({"v": rounded})
        .select(
            pl.when(pl.col("v") == 0)
            .then(pl.lit("0"))
            .otherwise(pl.col("v").cast(pl.String).str.replace(r"\.0$", ""))
            .alias("t")
        )
        .to_series()
    )
    exponent = text.str.contains("e", literal=True).fill_null(False)
    if exponent.any():
        exact = pl.DataFrame({"v": rounded.filter(exponent)}).select(
            _exact_decimal(pl.col("v")).alias("t")
        )
        text = text.scatter(exponent.arg_true(), exact.to_series())
    return text


def decimal_lexical(expr: pl.Expr) -> pl.Expr:
    """Canonical xsd:decimal text of a number (no exponent, no trailing zeros: 73403, 52306.5).

    Values are rounded to 6 decimal places, far below the precision of any tonnage or dollar
    figure the project handles. The rare values Polars prints with an exponent (above 1e16 or
    below 1e-4) go through an exact integer formatting.
    """
    return expr.map_batches(_decimal_series, return_dtype=pl.String)


def literal(expr: pl.Expr, datatype: Datatype = "string") -> pl.Expr:
    """An N-Triples literal of `expr` with `datatype` (plain "..." for xsd:string)."""
    if datatype == "string":
        return pl.concat_str([pl.lit('"'), escape(expr), pl.lit('"')])
    if datatype == "decimal":
        lexical = decimal_lexical(expr)
    elif datatype == "integer":
        lexical = expr.cast(pl.Int64).cast(pl.String)
    elif datatype == "boolean":
        lexical = (
            pl.when(expr.cast(pl.Boolean))
            .then(pl.lit("true"))
            .when(expr.cast(pl.Boolean).not_())
            .then(pl.lit("false"))
        )
    elif datatype == "date":
        lexical = expr.cast(pl.Date).cast(pl.String)
    else:
        lexical = expr.cast(pl.Datetime("us", "UTC")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return pl.concat_str([pl.lit('"'), lexical, pl.lit(f'"^^<{XSD}{datatype}>')])


def lang_literal(expr: pl.Expr, lang: str) -> pl.Expr:
    """A language-tagged string literal."""
    if not re.fullmatch(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*", lang):
        raise ValueError(f"not a BCP 47 language tag: {lang!r}")
    return pl.concat_str([pl.lit('"'), escape(expr), pl.lit(f'"@{lang}')])


def escape_text(text: str) -> str:
    """`escape` for one Python string (small, hand-built quads such as provenance)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
