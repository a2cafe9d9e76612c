"""The summary `make run` prints: where things are, rows per table, checks passed and failed."""

from __future__ import annotations

import sys

import duckdb

from etl.cli.run import RunBatch, RunSummary, materialize_all
from etl.ops.landing import unmatched_files
from etl.ops.quarantine import accounting_lines, quarantine_lines
from etl.publish.gate import refusal_lines
from etl.settings import Settings
from etl.trade.ingest import comtrade_touching


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


def _print_outcome(settings: Settings, summary: RunSummary) -> None:
    """Checks, a refused release, quarantined rows, ignored files and failed steps."""
    print(
        f"Checks: {len(summary.checks_passed)} passed, {len(summary.checks_failed)} failed, "
        f"{len(summary.checks_warned)} warnings"
    )
    for failure in summary.checks_failed:
        print(f"  FAILED {failure}")
    for warning in summary.checks_warned:
        print(f"  WARNING {warning}")
    for line in refusal_lines(settings.published_warehouse.parent):
        print(line)
    rejected = quarantine_lines(settings.warehouse)
    print(f"Quarantined: {'none' if not rejected else ''}".rstrip())
    for line in rejected:
        print(f"  REJECTED {line}")
    accounts = accounting_lines(settings.warehouse)
    if accounts:
        print(f"Rows accounted: {accounts[0]}")
    for line in accounts[1:]:
        print(f"  ACCOUNTED {line}")
    for line in unmatched_files(settings.landing_dir):
        print(f"  IGNORED {line}")
    for reason in comtrade_touching(settings.landing_dir)[1]:  # UTF-16, not a Comtrade header
        print(f"  IGNORED trade/comtrade: {reason}")
    for line in summary.failures:
        print(f"  STEP FAILED {line}", file=sys.stderr)


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
    _print_outcome(settings, summary)
    if summary.log_path is not None:
        print(f"Full log: {summary.log_path}")
    return 0 if summary.success else 1
