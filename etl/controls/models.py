"""Contracts of the export-control files: events as published, and the items each names."""

from __future__ import annotations

from etl.core.contracts import Contract, Field

CONTROL_EVENTS = Contract(
    "export_control_events",
    (
        Field("event_id", pattern=r"[A-Z0-9][A-Z0-9-]*"),
        Field("date_announced", description="As published; may carry a note or be a year"),
        Field("date_effective", required=False, description="As published"),
        Field("authority"),
        Field("document"),
        Field("event_type"),
        Field("items_elements", required=False),
        Field("reference_hs_codes", required=False, description="'n/a' reads as empty"),
        Field("scope_summary", required=False),
        Field("status"),
        Field("status_as_of", description="Date (or month) the status was read at"),
        Field("status_source_url", required=False),
        Field("source_url", description="Resolved to a source id via the sources registry"),
        Field("note", required=False),
    ),
    key=("event_id",),
    description="China's export controls on rare earths (MOFCOM/GAC announcements, decrees, "
    "quotas), with status as of a date.",
)

CONTROL_ITEMS = Contract(
    "export_control_items",
    (
        Field("event_id", pattern=r"[A-Z0-9][A-Z0-9-]*"),
        Field("element_symbol", pattern=r"[A-Z][a-z]?"),
        Field("item", description="What is controlled (metals, oxide, compounds, targets ...)"),
        Field("customs_code", required=False, pattern=r"[0-9]{10}", description="As published"),
        Field("hs6", required=False, pattern=r"[0-9]{6}", description="Heading holding the line"),
    ),
    key=("event_id", "element_symbol", "item", "customs_code"),
    description="The elements and Chinese 10-digit customs codes each control names, with the "
    "HS6 heading that contains each code.",
)
