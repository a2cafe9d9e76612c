"""Resources, declared once and injected into assets by parameter name."""

from __future__ import annotations

from typing import Any

from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WarehouseResource
from etl.settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    """The resources of one deployment, all paths taken from `settings`."""
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse), published_path=str(settings.published_warehouse)
        ),
        "settings": SettingsResource.from_settings(settings),
    }
