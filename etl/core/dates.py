"""Dates as the public record prints them."""

from __future__ import annotations

import polars as pl

LEADING_DATE = r"^(\d{4}-\d{2}-\d{2})"


def leading_date(column: str) -> pl.Expr:
    """The date a text starts with ('2025-12-18 (Asian Metal report date)'), else null."""
    return pl.col(column).str.extract(LEADING_DATE, 1).str.to_date("%Y-%m-%d", strict=False)
