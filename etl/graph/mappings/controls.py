"""Mappings of the export-controls graph: controls and the items they list."""

from __future__ import annotations

from rdflib.namespace import DCTERMS

from etl.graph.mapping import Lit, Ref, TableMapping
from etl.graph.mappings.graphs import GRAPH_CONTROLS, SOURCE
from etl.graph.vocab import REE

MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        name="export_controls", table="core.export_controls", sql="select_export_controls",
        graph=GRAPH_CONTROLS, kind="export-control", key="key", classes=(REE.ExportControl,),
        properties=(
            (DCTERMS.title, Lit("document")),
            (REE.authority, Lit("authority")),
            (REE.controlType, Lit("event_type")),
            (REE.announcedOn, Lit("date_announced", "date")),
            (REE.dateAsPublished, Lit("date_announced_as_published")),
            (REE.effectiveOn, Lit("date_effective", "date")),
            (REE.status, Lit("status")),
            (REE.statusAsOf, Lit("status_as_of")),
            (REE.suspendedFrom, Lit("suspended_from", "date")),
            (REE.suspendedUntil, Lit("suspended_until", "date")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="export_control_links", table="core.export_control_items",
        sql="select_export_control_links", graph=GRAPH_CONTROLS, kind="export-control",
        key="key",
        properties=(
            (REE.controlsElement, Ref("element", "element_symbol")),
            (REE.controlsHeading, Ref("commodity", "hs6")),
        ),
    ),
    TableMapping(
        name="export_control_items", table="core.export_control_items",
        sql="select_export_control_items", graph=GRAPH_CONTROLS, kind="controlled-item",
        key="key", classes=(REE.ControlledItem,),
        properties=(
            (REE.itemOf, Ref("export-control", "event_id")),
            (REE.controlsElement, Ref("element", "element_symbol")),
            (REE.itemText, Lit("item")),
            (REE.customsCode, Lit("customs_code")),
            (REE.controlsHeading, Ref("commodity", "hs6")),
            SOURCE,
        ),
    ),
)  # fmt: skip
