"""The USGS world table loads exactly as published, and next year's shifted header needs no code."""

import csv
import io
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl.cli.run import materialize_all
from etl.core.contracts import ContractError, read_contract
from etl.production.models import (
    QUALIFIED_NUMBER,
    header,
    qualified_value,
    qualifier,
    usgs_world_contract,
    year_columns,
)
from etl.settings import Settings

SELECTION = "group:reference or group:production or group:publish"


def test_bundled_file_keeps_its_quirks():
    raw = (Path(__file__).parents[2] / "data/production/mcs2024-raree_world.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # byte-order mark kept
    assert b"\xc2\xa0" in raw  # non-breaking spaces kept
    assert b",NA," in raw


def test_older_editions_keep_their_layouts():
    folder = Path(__file__).parents[2] / "data/production"
    mcs2022 = (folder / "mcs2022-raree_world.csv").read_bytes()
    assert mcs2022.startswith(b"\xef\xbb\xbfSource,Country,Type,Prod_t_2020,Prod_t_Est_2021")
    assert b"Reserves_t" not in mcs2022
    assert b'"7,900"' in (folder / "mcs2024-raree_salient.csv").read_bytes()
    assert b">95,E" in (folder / "mcs2023-raree_salient.csv").read_bytes()


def test_year_columns_come_from_the_header(tmp_path):
    path = tmp_path / "mcs2030-raree_world.csv"
    path.write_text(
        "Source,Country,Type,Prod_t_2028,Prod_t_Est_2029,Prod_notes,Reserves_t,Reserves_notes\n"
    )
    cols = year_columns(path)
    assert [(c.year, c.is_estimate) for c in cols] == [(2028, False), (2029, True)]
    assert [f.name for f in usgs_world_contract(cols).fields][3:5] == [
        "Prod_t_2028",
        "Prod_t_Est_2029",
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
    assert got == [
        ("2022", 2020, 2021, 16, True),
        ("2023", 2021, 2022, 16, True),
        ("2024", 2022, 2023, 15, True),
        ("2025", 2023, 2024, 15, True),
    ]
    assert rejected == [(0,)]


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("240000", 240000.0, None),
        ("7,900", 7900.0, None),
        (">90000000", 90000000.0, ">"),
        ("> 95", 95.0, ">"),
        ("<1", 1.0, "<"),
        ("W", None, "W"),
        ("XX", None, "XX"),
        ("E", None, "E"),
        ("NA", None, "NA"),
        ("-", 0.0, "-"),
    ],
)
def test_a_qualifier_is_data(text, value, flag):
    frame = pl.DataFrame({"c": [text]})
    got = frame.select(qualified_value("c").alias("v"), qualifier("c").alias("q")).row(0)
    assert got == (value, flag)
    assert re.fullmatch(f"(?:{QUALIFIED_NUMBER})", text)


def test_junk_in_a_usgs_cell_is_rejected_with_reason(tmp_path):
    path = tmp_path / "mcs2030-raree_world.csv"
    path.write_text(
        "Source,Country,Type,Prod_t_2028,Prod_t_est_2029\n"
        "MCS2030,China,x,1,about 2\n"
        "MCS2030,World total (rounded),x,1,>2\n"
    )
    cols = year_columns(path)
    result = read_contract(path, usgs_world_contract(cols, header(path)))
    assert result.good["Country"].to_list() == ["World total (rounded)"]
    assert result.rejected.select("source_row", "field", "value").rows() == [
        (2, "Prod_t_est_2029", "about 2")
    ]


def _mcs2025_in_last_years_layout(data_copy: Path) -> str:
    """MCS2024's table shifted one year, with qualified cells and a Nigeria row (13,000 t)."""
    text = (data_copy / "production/mcs2024-raree_world.csv").read_text(encoding="utf-8-sig")
    lines = text.replace("Prod_t_est_2022,Prod_t_est_2023", "Prod_t_2023,Prod_t_est_2024")
    lines = lines.replace("MCS2024,", "MCS2025,")
    out = []
    for line in lines.splitlines():
        if line.startswith("MCS2025,World total (rounded),"):
            line = line.replace(",300000,350000,,110000000,", ",350000,390000,,>90000000,")
        elif line.startswith("MCS2025,Brazil,"):
            line = line.replace(",80,80,", ",W,<1,")
        elif line.startswith("MCS2025,Canada,"):
            line = line.replace(",0,0,", ",XX,NA,")
        elif line.startswith("MCS2025,China,"):
            line = line.replace(",210000,240000,", ',"255,000","270,000",')
        out.append(line)
        if line.startswith("MCS2025,Malaysia,"):
            out.append(
                'MCS2025,Nigeria,"Rare earths, mine production, rare-earth-oxide equivalent, '
                'metric tons",7000,"13,000",,NA,'
            )
    return "\ufeff" + "\n".join(out) + "\n"


def test_a_new_edition_with_qualifiers_keeps_its_world_total_and_shares(tmp_path, data_copy):
    text = _mcs2025_in_last_years_layout(data_copy)
    home = tmp_path / "home"
    landed = home / "landing/production/mcs2025-raree_world.csv"
    landed.parent.mkdir(parents=True)
    landed.write_text(text, encoding="utf-8")
    with open(data_copy / "reference/sources.csv", "a", encoding="utf-8") as sources:
        sources.write(
            "usgs-mcs2025-rare-earths,Test fixture: MCS2024 layout with qualifiers and "
            "Nigeria,U.S. Geological Survey,,,derived,,made by this test\n"
        )
    # expected figures from the landed text itself
    by_country = {r["Country"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    world_2024 = float(by_country["World total (rounded)"]["Prod_t_est_2024"])
    nigeria_2024 = float(by_country["Nigeria"]["Prod_t_est_2024"].replace(",", ""))
    china_2024 = float(by_country["China"]["Prod_t_est_2024"].replace(",", ""))
    settings = Settings.under(home, data_dir=data_copy)
    summary = materialize_all(settings, selection=SELECTION)
    assert summary.failed_steps == [] and summary.checks_failed == []
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        world = con.execute(
            "SELECT year, tonnes_reo, reserves_t, reserves_qualifier FROM core.production_world "
            "WHERE edition = '2025' ORDER BY year"
        ).fetchall()
        shares = dict(
            con.execute(
                "SELECT country_iso3, share_of_world FROM marts.world_production "
                "WHERE edition = '2025' AND year = 2024"
            ).fetchall()
        )
        qualified = con.execute(
            "SELECT country_iso3, year, tonnes_reo, qualifier FROM core.production "
            "WHERE edition = '2025' AND qualifier IS NOT NULL ORDER BY country_iso3, year"
        ).fetchall()
        rejected = con.execute(
            "SELECT count(*) FROM quarantine.rejected_rows WHERE partition_key = '2025'"
        ).fetchall()
        accounted = con.execute(
            "SELECT rows_in, rows_landed, rows_quarantined, rows_superseded "
            "FROM quarantine.file_accounting "
            "WHERE dataset = 'usgs_world' AND partition_key = '2025'"
        ).fetchall()
    # every data row of the landed file (a row with a Country cell) is accounted for
    data_rows = sum(1 for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if r["Country"])
    assert accounted == [(data_rows, data_rows, 0, 0)]
    assert world == [(2023, 350000.0, 90000000.0, ">"), (2024, world_2024, 90000000.0, ">")]
    assert shares["NGA"] == pytest.approx(nigeria_2024 / world_2024)
    assert shares["CHN"] == pytest.approx(china_2024 / world_2024)
    assert shares["BRA"] == pytest.approx(1.0 / world_2024)  # "<1": the bound, qualified "<"
    assert qualified == [
        ("BRA", 2023, None, "W"),
        ("BRA", 2024, 1.0, "<"),
        ("CAN", 2023, None, "XX"),
        ("CAN", 2024, None, "NA"),
    ]
    assert rejected == [(0,)]


def test_a_lost_world_total_fails_a_blocking_check(tmp_path, data_copy):
    text = _mcs2025_in_last_years_layout(data_copy).replace(",350000,390000,", ",350000,about,")
    home = tmp_path / "home"
    landed = home / "landing/production/mcs2025-raree_world.csv"
    landed.parent.mkdir(parents=True)
    landed.write_text(text, encoding="utf-8")
    with open(data_copy / "reference/sources.csv", "a", encoding="utf-8") as sources:
        sources.write("usgs-mcs2025-rare-earths,Test fixture,U.S. Geological Survey,,,derived,,\n")
    settings = Settings.under(home, data_dir=data_copy)
    summary = materialize_all(settings, selection=SELECTION)
    assert any("world_total_present" in c for c in summary.checks_failed), summary.checks_failed


def test_a_warehouse_from_before_qualifiers_keeps_loading(tmp_path):
    settings = Settings.under(tmp_path / "home")
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "CREATE SCHEMA core; CREATE TABLE core.production (edition VARCHAR, "
            "country_iso3 VARCHAR, year INTEGER, tonnes_reo DOUBLE, is_estimate BOOLEAN, "
            "reserves_t DOUBLE, production_notes VARCHAR, reserves_notes VARCHAR, "
            "source_id VARCHAR)"
        )
    summary = materialize_all(settings, selection=SELECTION)
    assert summary.failed_steps == [] and summary.checks_failed == []
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        got = con.execute(
            "SELECT qualifier, reserves_qualifier FROM core.production "
            "WHERE edition = '2023' AND country_iso3 = 'MMR' AND year = 2022"
        ).fetchall()
    assert got == [(None, "NA")]
