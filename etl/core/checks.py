"""Asset-check factories: a check is a SQL query whose rows are violations.

Each violation row has a `problem` column: a sentence naming the offending figure, so a failed
check says what is wrong (e.g. "2022 batch 1 mining: China Rare Earth Group 369,906 t exceeds
the national batch total 100,800 t").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from etl.core.metadata import frame_to_markdown
from etl.core.warehouse import WarehouseResource

MAX_LISTED = 20


@dataclass(frozen=True)
class ForeignKey:
    """`column` of the checked table must appear in `ref_table.ref_column` (NULLs allowed)."""

    column: str
    ref_table: str
    ref_column: str


def sql_check(
    asset: dg.AssetKey | Sequence[str],
    name: str,
    sql: str,
    description: str,
    blocking: bool = True,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
) -> dg.AssetChecksDefinition:
    """A check that fails when `sql` returns rows; its metadata lists them. A WARN check
    (non-blocking) flags a known issue in the record without stopping anything."""
    key = asset if isinstance(asset, dg.AssetKey) else dg.AssetKey(list(asset))

    @dg.asset_check(asset=key, name=name, blocking=blocking, description=description)
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            violations = con.sql(sql).pl()
        problems = violations["problem"].to_list() if "problem" in violations.columns else []
        return dg.AssetCheckResult(
            passed=violations.height == 0,
            severity=severity,
            description="; ".join(problems[:MAX_LISTED]) or "no violations",
            metadata={
                "violations": dg.MetadataValue.int(violations.height),
                "details": dg.MetadataValue.md(frame_to_markdown(violations, MAX_LISTED)),
            },
        )

    return _check


def foreign_key_check(
    asset: Sequence[str], table: str, keys: Sequence[ForeignKey], blocking: bool = True
) -> dg.AssetChecksDefinition:
    """Every foreign key of `table` resolves (names come from module constants only)."""
    parts = [
        f"SELECT DISTINCT '{table}.{fk.column} = ' || {fk.column} || ' not in {fk.ref_table}' "
        f"AS problem FROM {table} WHERE {fk.column} IS NOT NULL AND {fk.column} NOT IN "
        f"(SELECT {fk.ref_column} FROM {fk.ref_table} WHERE {fk.ref_column} IS NOT NULL)"
        for fk in keys
    ]
    return sql_check(
        asset,
        "foreign_keys_resolve",
        " UNION ALL ".join(parts) + " ORDER BY problem",
        f"Every foreign key of {table} resolves: "
        + ", ".join(f"{fk.column} -> {fk.ref_table}" for fk in keys),
        blocking=blocking,
    )
