"""The report asset: one self-contained HTML page of charts, built from the published warehouse."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WarehouseResource
from etl.publish.gate import require_passed
from etl.report.models import GROUP, MART_KEYS, OWNERS, REPORT_KEY
from etl.report.render import snapshot_time, write_report


@dg.asset(
    key=REPORT_KEY,
    group_name=GROUP,
    owners=OWNERS,
    kinds={"html", "plotly", "duckdb"},
    deps=MART_KEYS,
    output_required=False,
    description="One self-contained HTML report (<report_dir>/index.html, plotly.js embedded, "
    "nothing fetched when opened): headline from the latest annual figures; who holds China's "
    "quota by group and province; the real Jiangxi capacity replacement as flows with its "
    "conservation proof; every buyer's exposure, cut scenarios and imports in controlled "
    "headings; export-control timeline; capacity outside China by unit; USGS editions and net "
    "import reliance; supply risk when published; the illustrative example; sources with kind "
    "and freshness. Reads the published warehouse read-only; illustrative and synthetic "
    "figures are labelled.",
)
def report_html(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> Iterator[dg.MaterializeResult]:
    published = Path(warehouse.published_path)
    require_passed(context, [REPORT_KEY], published.parent)
    if not published.exists():
        context.log.warning(f"{published}: no published warehouse yet; report not written")
        return
    path, report = write_report(published, Path(settings.report_dir))
    rendered = [c.chart_id for c in report.charts if c.rendered]
    empty = {c.chart_id: c.empty_message for c in report.charts if not c.rendered}
    metadata: dict[str, dg.RawMetadataValue] = {
        "path": dg.MetadataValue.path(str(path)),
        "url": dg.MetadataValue.url(path.resolve().as_uri()),
        "published_snapshot": dg.MetadataValue.text(snapshot_time(published)),
        "size_kib": dg.MetadataValue.int(path.stat().st_size // 1024),
        "charts_rendered": dg.MetadataValue.int(len(rendered)),
        "charts": dg.MetadataValue.json({"rendered": rendered, "empty": empty}),
        "mart_rows": dg.MetadataValue.json(report.data.row_counts),
        "dagster/row_count": dg.MetadataValue.int(sum(report.data.row_counts.values())),
        "changed_figures": dg.MetadataValue.int(sum(f.changed for f in report.figures)),
    }
    for name, markdown in report.previews.items():
        metadata[name] = dg.MetadataValue.md(markdown)
    yield dg.MaterializeResult(metadata=metadata)
