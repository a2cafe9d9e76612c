"""The trade domain's sensor and schedule (every key is in tests/foundation/test_snapshot.py)."""

from __future__ import annotations

from etl.definitions import build_defs


def test_sensor_and_monthly_schedule_are_declared(settings):
    defs = build_defs(settings)
    assert defs.resolve_sensor_def("trade_landing_sensor").name == "trade_landing_sensor"
    assert defs.resolve_schedule_def("trade_monthly").cron_schedule == "0 6 2 * *"
