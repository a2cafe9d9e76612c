"""The full log of a headless run, written to a file, and one-line failure messages for the
terminal: `make run` prints no stack traces, only where the log is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

LOG_DIR = "logs"


def run_log_path(home: Path) -> Path:
    """A new log file under `<REEKG_HOME>/logs/` named by the start time."""
    folder = Path(home) / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.log"


def append_run_log(path: Path, result: dg.ExecuteInProcessResult) -> None:
    """Every event of the run, with the full error (and stack trace) of each failure."""
    with open(path, "a", encoding="utf-8") as handle:
        for event in result.all_events:
            step = event.step_key or "-"
            handle.write(f"{result.run_id[:8]} {step} {event.event_type_value}: {event.message}\n")
            if event.is_step_failure and event.step_failure_data.error is not None:
                handle.write(event.step_failure_data.error.to_string() + "\n")


def failure_line(event: dg.DagsterEvent) -> str:
    """`step: first line of the user-facing error` (a `dg.Failure`'s description, a check's
    message), never a stack trace."""
    error = event.step_failure_data.error if event.is_step_failure else None
    text = ""
    if error is not None:
        text = (error.cause.message if error.cause is not None else error.message).strip()
    user = event.step_failure_data.user_failure_data if event.is_step_failure else None
    if user is not None and user.description:
        text = user.description
    first = text.splitlines()[0] if text else "failed"
    return f"{event.step_key}: {first}"
