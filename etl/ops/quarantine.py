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
