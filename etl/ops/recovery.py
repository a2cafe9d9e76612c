"""Recovering from runs that died without a word (SIGKILL, OOM killer, power loss).

A run killed while it holds the `duckdb_writer` pool slot keeps that slot forever: the run stays
STARTED in the instance, and every later writer waits for the slot. `recover_orphaned_runs`
finds such runs (their process is gone, or its pid now belongs to a younger process), marks them
failed and frees their slots. `materialize_all` callers and `orphaned_runs_sensor` (in the
daemon) call it; it is safe to call any time, from any process on the host running the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import psutil

ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
RUN_START = "PIPELINE_START"
PID_CLOCK_SLACK_SECONDS = 1.0


@dataclass(frozen=True)
class Orphan:
    """A run whose process is gone, and whether it held concurrency slots (now freed)."""

    run_id: str
    job_name: str
    pid: int
    held_slots: bool


def _process_alive(pid: int, started_at: float) -> bool:
    """True when `pid` is still the process that started the run at `started_at`."""
    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True
    return created <= started_at + PID_CLOCK_SLACK_SECONDS


def _run_start(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is not None and event.pid is not None:
            return event.pid, record.event_log_entry.timestamp
    return None


def recover_orphaned_runs(instance: dg.DagsterInstance) -> list[Orphan]:
    """Mark runs whose process died as failed and free their concurrency slots."""
    orphans = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE)):
        start = _run_start(instance, run.run_id)
        if start is None or _process_alive(*start):
            continue
        instance.report_run_failed(
            run, message=f"run process {start[0]} is gone (killed?); marked failed by recovery"
        )
        storage = instance.event_log_storage
        held = False
        if storage.supports_global_concurrency_limits:
            held = run.run_id in storage.get_concurrency_run_ids()
            storage.free_concurrency_slots_for_run(run.run_id)
        orphans.append(Orphan(run.run_id, run.job_name, start[0], held))
    return orphans


@dg.sensor(
    name="orphaned_runs_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every minute: runs whose process died (SIGKILL, OOM) are marked failed and "
    "their duckdb_writer slot is freed, so later writers do not wait forever.",
)
def orphaned_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    orphans = recover_orphaned_runs(context.instance)
    for orphan in orphans:
        context.log.warning(
            f"run {orphan.run_id} ({orphan.job_name}, pid {orphan.pid}) died; "
            f"marked failed{', its slots freed' if orphan.held_slots else ''}"
        )
    return dg.SkipReason(f"{len(orphans)} orphaned run(s) recovered")


def main() -> int:
    """`python -m etl.ops.recovery`: recover orphaned runs of this deployment's instance."""
    from etl.ops.instance import instance_for
    from etl.settings import Settings

    orphans = recover_orphaned_runs(instance_for(Settings.from_env()))
    for orphan in orphans:
        print(f"recovered run {orphan.run_id} ({orphan.job_name}, pid {orphan.pid})")
    print(f"{len(orphans)} orphaned run(s) recovered")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
