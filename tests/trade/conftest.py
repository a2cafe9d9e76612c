"""Trade test helpers: a temporary deployment and small hand-written landing files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from etl.resources import build_resources
from etl.settings import Settings
from etl.trade.models import BACI_COUNTRY_COLUMNS, COMTRADE_COLUMNS

BACI_COUNTRIES = [
    (156, "China", "CN", "CHN"),
    (392, "Japan", "JP", "JPN"),
    (842, "USA", "US", "USA"),
    (276, "Germany", "DE", "DEU"),
    (458, "Malaysia", "MY", "MYS"),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A deployment under `tmp_path`, reading the bundled data."""
    return Settings.under(tmp_path / "home")


def run(
    settings: Settings,
    assets: Sequence[dg.AssetsDefinition],
    partition_key: str | None = None,
    run_config: dict[str, Any] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize `assets` against `settings`; fails the test if the run fails."""
    result = dg.materialize(
        assets,
        resources=build_resources(settings),
        partition_key=partition_key,
        run_config=run_config,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def query(settings: Settings, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def write_baci(folder: Path, name: str, lines: Sequence[str]) -> Path:
    """A BACI year file with header t,i,j,k,v,q, plus the companion country list."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("t,i,j,k,v,q\n" + "\n".join(lines) + "\n", encoding="utf-8")
    companion = folder / "country_codes_V202501.csv"
    rows = [",".join(BACI_COUNTRY_COLUMNS)] + [",".join(map(str, c)) for c in BACI_COUNTRIES]
    companion.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def comtrade_row(**values: Any) -> str:
    """One Comtrade CSV line: an annual 2023 HS2022 record with `values` overriding defaults."""
    row: dict[str, Any] = {c: "" for c in COMTRADE_COLUMNS}
    row.update(
        typeCode="C", freqCode="A", refPeriodId="20230101", refYear=2023, refMonth=52,
        period=2023, reporterCode=842, flowCode="M", partnerCode=156, partner2Code=0,
        classificationCode="H6", cmdCode="280530", customsCode="C00", motCode=0,
        qtyUnitCode=8, qtyUnitAbbr="kg", netWgt=1000, primaryValue=100,
    )  # fmt: skip
    row.update(values)
    return ",".join(str(row[c]) for c in COMTRADE_COLUMNS)


def write_comtrade(folder: Path, name: str, rows: Sequence[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(",".join(COMTRADE_COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path
