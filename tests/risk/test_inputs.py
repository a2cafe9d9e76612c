"""Bad supply-risk inputs: a clear error naming file, row and field; rejected rows kept with
their reason; the good rows still land; a rerun replaces rather than duplicates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.cli.run import materialize_all
from etl.core.contracts import ContractError, read_contract
from etl.risk import models
from etl.settings import Settings

SELECTION = "group:reference or key:risk/*"
GLOBAL = "risk/eu_crm2023_global_supply_shares_ree.csv"
SOURCE = (
    "erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets,"
    "Data/fact_GlobalSupplyShares&t.csv,555be664b7003436c88f04dc9e1077c69cc94c4d"
)
CONTRACT_FILES = [
    (models.WGI, "risk/wgi_2024update_estimates_2016_2023.csv"),
    (models.SHARES, GLOBAL),
    (models.PARAMETERS, "risk/eu_crm_ree_parameters_long.csv"),
    (models.METHOD, "risk/method_parameters.csv"),
    (models.HS_PROXY, "risk/hs_stage_proxy.csv"),
]


@pytest.mark.parametrize(("contract", "relpath"), CONTRACT_FILES, ids=lambda v: str(v)[:40])
def test_missing_column_names_file_and_column(data_copy: Path, contract, relpath: str) -> None:
    path = data_copy / relpath
    header = path.read_text(encoding="utf-8").splitlines()[0]
    dropped = next(f.name for f in contract.fields if f.required)  # optional ones may be absent
    path.write_text(header.replace(dropped, "renamed") + "\n", encoding="utf-8")
    with pytest.raises(ContractError) as error:
        read_contract(path, contract)
    assert str(path) in str(error.value) and dropped in str(error.value)


def test_bad_share_rows_are_quarantined_and_good_rows_land(data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / GLOBAL
    lines = path.read_text(encoding="utf-8").splitlines()
    first_bad = len(lines) + 1
    bad = [
        f"2023,global_supply,Dysprosiumm,HREE,P,China,CHN,90%,90,,1.0,,{SOURCE}",
        f"2023,global_supply,Holmium,HREE,P,Russia,RUS,abc,abc,,1.0,,{SOURCE}",
        f"2023,global_supply,Holmium,HREE,X,Russia,RUS,1%,1,,1.0,,{SOURCE}",
    ]
    path.write_text("\n".join([*lines, *bad]) + "\n", encoding="utf-8")
    settings = Settings.under(tmp_path / "home", data_dir=data_copy)
    for _ in range(2):  # a rerun replaces, never duplicates
        summary = materialize_all(settings, selection=SELECTION)
        assert not summary.failed_steps
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        rejected = con.execute(
            "SELECT source_file, source_row, field, reason FROM quarantine.rejected_rows "
            "WHERE dataset = 'crm_supply_shares' ORDER BY source_row"
        ).fetchall()
        landed = con.execute(
            "SELECT count(*) FROM core.crm_supply_shares WHERE scope = 'global_supply'"
        ).fetchone()
    finally:
        con.close()
    assert [(r[0], r[1], r[2]) for r in rejected] == [
        (GLOBAL, first_bad, "material"),
        (GLOBAL, first_bad + 1, "share_pct"),
        (GLOBAL, first_bad + 2, "stage"),
    ]
    assert "not a rare-earth element name" in rejected[0][3]
    assert rejected[1][3] == "not a number"
    assert landed == (len(lines) - 1,)
