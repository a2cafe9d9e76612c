"""Report fixtures: the report asset run on the session pipeline, and a headless Chromium."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from etl.cli.run import RunSummary
from etl.report import checks
from etl.report.assets import report_html
from etl.resources import build_resources
from etl.settings import Settings
from tests.report.browser import PageResult, find_chromium, open_page

# Section screenshots kept for review (the repository's var/, ignored by git).
REVIEW_DIR = Path(__file__).resolve().parents[2] / "var" / "report-screenshots"


@dataclass(frozen=True)
class BuiltReport:
    """The report materialized by Dagster from the session's published warehouse."""

    settings: Settings
    path: Path
    metadata: dict[str, dg.MetadataValue]
    checks: dict[str, bool]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed by tests/report/ensure_chromium.sh when missing."""
    path = find_chromium()
    if path is None:
        pytest.fail("no chromium: run `bash tests/report/ensure_chromium.sh` (root) first")
    return path


@pytest.fixture(scope="session")
def built_report(pipeline: tuple[Settings, RunSummary]) -> BuiltReport:
    """`report/html` materialized on the session pipeline's published warehouse."""
    settings, summary = pipeline
    assert settings.published_warehouse.exists(), summary.failed_steps
    result = dg.materialize([report_html, *checks.ALL], resources=build_resources(settings))
    assert result.success
    (event,) = result.get_asset_materialization_events()
    materialization = event.materialization
    assert materialization is not None
    return BuiltReport(
        settings,
        settings.report_dir / "index.html",
        dict(materialization.metadata),
        {e.check_name: e.passed for e in result.get_asset_check_evaluations()},
    )


@pytest.fixture(scope="session")
def report_page(
    built_report: BuiltReport, chromium: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PageResult, Path]:
    """The report opened once in headless Chromium; a full-page screenshot and one per section
    are saved into the test's tmp dir and, for review, into var/report-screenshots/."""
    page = open_page(built_report.path.as_uri(), chromium, section_shots=True)
    folder = tmp_path_factory.mktemp("report-browser")
    review = REVIEW_DIR
    review.mkdir(parents=True, exist_ok=True)
    shot = folder / "report.png"
    shot.write_bytes(page.screenshot)
    for section_id, png in page.section_shots.items():
        (folder / f"section-{section_id}.png").write_bytes(png)
        (review / f"section-{section_id}.png").write_bytes(png)
    print(f"report screenshots: {folder} (and {review})")
    return page, shot
