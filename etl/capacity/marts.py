"""Public capacity marts (a contract users rely on): quotas by holder, concentration, change,
and the reallocation ledger."""

from pathlib import Path

import dagster as dg

from etl.core.marts import sql_mart

SQL_DIR = Path(__file__).parent / "sql"
GROUP = "capacity"
QUOTAS = dg.AssetKey(["capacity", "quotas"])
REFERENCE = [dg.AssetKey(["reference", "organisations"]), dg.AssetKey(["reference", "countries"])]

quota_by_holder = sql_mart(
    "quota_by_holder",
    SQL_DIR,
    [QUOTAS, *REFERENCE],
    GROUP,
    "Each company group's quota per year, batch, quota type and ore type, with its share of the "
    "national batch total (share_of_batch), derived flag and source.",
)
quota_concentration = sql_mart(
    "quota_concentration",
    SQL_DIR,
    [QUOTAS, *REFERENCE],
    GROUP,
    "Concentration of each batch by holder, holder HQ province and official provincial split: "
    "n, top-1 share, HHI (0-10,000) and whether the holders' split is complete.",
)
quota_change = sql_mart(
    "quota_change",
    SQL_DIR,
    [QUOTAS, *REFERENCE],
    GROUP,
    "Year-on-year and batch-on-batch change of each holder's and the national quota.",
)
reallocation_ledger = sql_mart(
    "reallocation_ledger",
    SQL_DIR,
    [
        dg.AssetKey(["capacity", "reallocations"]),
        dg.AssetKey(["capacity", "holdings_baseline"]),
        dg.AssetKey(["capacity", "consolidation_events"]),
        *REFERENCE,
    ],
    GROUP,
    "Change per reallocation event, holder and leg kind (transfer_in, transfer_out, "
    "own_replacement), and each province's net change per event (zero when capacity is only "
    "reallocated): the real Jiangxi December 2025 replacement plans, with before/after NULL "
    "(not published), and a tutorial example with invented baselines (is_illustrative).",
)

capacity_by_stage = sql_mart(
    "capacity_by_stage",
    SQL_DIR,
    [dg.AssetKey(["capacity", "facilities"]), *REFERENCE],
    GROUP,
    "Facility capacity by country, stage (mining, processing, separation, metal, magnet, "
    "integrated), unit and basis, with the number of facilities: different units and bases are "
    "never added; each facility's latest figure counts once.",
)

ALL = [
    quota_by_holder,
    quota_concentration,
    quota_change,
    reallocation_ledger,
    capacity_by_stage,
]
