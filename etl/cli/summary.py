"""The summary `make run` prints: where things are, rows per table, checks passed and failed."""

from __future__ import annotations

import sys

import duckdb

from etl.cli.run import RunBatch, materialize_all
from etl.settings import Settings


def _progress(number: int, total: int, batch: RunBatch) -> None:
    names = ", ".join(k.to_user_string() for k in batch.keys[:4])
    more = f" (+{len(batch.keys) - 4} more)" if len(batch.keys) > 4 else ""
    print(f"[{number}/{total}] {names}{more}", flush=True)


def table_counts(path: str) -> list[tuple[str, int]]:
    """Rows per table of the published warehouse (opened read-only)."""
    with duckdb.connect(path, read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1"
        ).fetchall()
        return [
            (t, int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0])) for (t,) in tables
        ]


def main() -> int:
    """Run everything on the configured (default: bundled) data and print the summary."""
    settings = Settings.from_env()
    print(f"reekg: materializing every asset (REEKG_HOME={settings.home})", flush=True)
    summary = materialize_all(settings, on_batch=_progress)
    print()
    print(f"Warehouse (working):   {settings.warehouse}")
    print(f"Warehouse (published): {settings.published_warehouse}")
    if settings.published_warehouse.exists():
        print("Rows per table (published):")
        for table, count in table_counts(str(settings.published_warehouse)):
            if not table.startswith("raw."):
                print(f"  {table:<40} {count:>10,}")
    graph_current = settings.graph_dir / "current"
    if graph_current.exists():
        print(f"Graph (published):     {graph_current.resolve()}")
    report = settings.report_dir / "index.html"
    if report.exists():
        print(f"Report:                {report}")
    print(f"Checks: {len(summary.checks_passed)} passed, {len(summary.checks_failed)} failed")
    for failure in summary.checks_failed:
        print(f"  FAILED {failure}")
    for step in summary.failed_steps:
        print(f"  STEP FAILED {step}", file=sys.stderr)
    return 0 if summary.success else 1
