"""The USGS world table loads exactly as published, and next year's shifted header needs no code."""

from pathlib import Path

import duckdb
import pytest

from etl.cli.run import materialize_all
from etl.core.contracts import ContractError
from etl.production.models import usgs_world_contract, year_columns
from etl.settings import Settings

SELECTION = "group:reference or group:production or group:publish"


def test_bundled_file_keeps_its_quirks():
    raw = (Path(__file__).parents[2] / "data/production/mcs2024-raree_world.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # byte-order mark kept
    assert b"\xc2\xa0" in raw  # non-breaking spaces kept
    assert b",NA," in raw


def test_year_columns_come_from_the_header(tmp_path):
    path = tmp_path / "mcs2030-raree_world.csv"
    path.write_text(
        "Source,Country,Type,Prod_t_2028,Prod_t_est_2029,Prod_notes,Reserves_t,Reserves_notes\n"
    )
    cols = year_columns(path)
    assert [(c.year, c.is_estimate) for c in cols] == [(2028, False), (2029, True)]
    assert [f.name for f in usgs_world_contract(cols).fields][3:5] == [
        "Prod_t_2028",
        "Prod_t_est_2029",
    ]


def test_no_year_column_is_a_clear_error(tmp_path):
    path = tmp_path / "mcs2030-raree_world.csv"
    path.write_text("Source,Country,Type,Production\n")
    with pytest.raises(ContractError, match="no production year column"):
        year_columns(path)


def test_next_editions_shifted_years_load_without_code_changes(tmp_path, data_copy):
    source = (data_copy / "production/mcs2024-raree_world.csv").read_text(encoding="utf-8-sig")
    shifted = source.replace("Prod_t_est_2022,Prod_t_est_2023", "Prod_t_2023,Prod_t_est_2024")
    shifted = shifted.replace("MCS2024,", "MCS2025,")
    (data_copy / "production/mcs2025-raree_world.csv").write_text(
        "\ufeff" + shifted, encoding="utf-8"
    )
    with open(data_copy / "reference/sources.csv", "a", encoding="utf-8") as sources:
        sources.write(
            "usgs-mcs2025-rare-earths,Test fixture: MCS2024 figures under a shifted "
            "header,U.S. Geological Survey,,,derived,,made by this test\n"
        )
    settings = Settings.under(tmp_path / "home", data_dir=data_copy)
    summary = materialize_all(settings, selection=SELECTION)
    assert summary.failed_steps == [] and summary.checks_failed == []
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        got = con.execute(
            "SELECT edition, min(year), max(year), count(DISTINCT country_iso3), "
            "bool_or(is_estimate) "
            "FROM core.production GROUP BY edition ORDER BY edition"
        ).fetchall()
        rejected = con.execute("SELECT count(*) FROM quarantine.rejected_rows").fetchall()
    assert got == [("2024", 2022, 2023, 15, True), ("2025", 2023, 2024, 15, True)]
    assert rejected == [(0,)]
