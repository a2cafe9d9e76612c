"""Quarantine you can see: rejected rows per file and reason, for `make run` and `reekg status`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
MAX_REASON = 120


def quarantine_lines(warehouse: Path) -> list[str]:
    """One line per (file, reason) with quarantined rows; empty when none or no warehouse."""
    if not Path(warehouse).exists():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(load_sql(SQL_DIR, "select_rejected_by_file")).fetchall()
    except duckdb.Error:
        return []
    return [
        f"{dataset}: {source_file}: {count:,} row(s) from row {first}: {reason[:MAX_REASON]}"
        for dataset, source_file, reason, count, first in rows
    ]


def accounting_lines(warehouse: Path) -> list[str]:
    """Rows in = landed + quarantined (+ superseded, + elsewhere) per dataset and file: a total
    line, then one line per file with quarantined or unaccounted rows (none when no warehouse)."""
    if not Path(warehouse).exists():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(load_sql(SQL_DIR, "select_file_accounting")).fetchall()
    except duckdb.Error:
        return []
    if not rows:
        return []
    totals = [sum(r[i] for r in rows) for i in range(2, 8)]
    lines = [
        f"{len(rows)} file(s): {totals[0]:,} rows in = {totals[1]:,} landed + {totals[2]:,} "
        f"quarantined + {totals[3]:,} superseded + {totals[4]:,} elsewhere; "
        f"{totals[5]:,} unaccounted"
    ]
    for dataset, source_file, rows_in, landed, quarantined, superseded, elsewhere, lost in rows:
        if quarantined or lost:
            flag = f"; {lost:,} UNACCOUNTED" if lost else ""
            lines.append(
                f"{dataset}: {source_file}: {rows_in:,} in = {landed:,} landed + "
                f"{quarantined:,} quarantined + {superseded:,} superseded + {elsewhere:,} "
                f"elsewhere{flag}"
            )
    return lines
