"""What every trade asset module shares: group, owners, upstream keys, files, run config."""

import dagster as dg

from etl.trade.models import RARE_EARTH_HS_CODES

GROUP = "trade"
OWNERS = ["team:trade"]

REF_COUNTRIES = dg.AssetKey(["reference", "countries"])
REF_SOURCES = dg.AssetKey(["reference", "sources"])
REF_ORGANISATIONS = dg.AssetKey(["reference", "organisations"])
QUOTA_BY_HOLDER = dg.AssetKey(["marts", "quota_by_holder"])
US_FILE = ("trade", "trade_us_imports_by_partner_hs280530_284610_284690_2018_2025.csv")
COMEXT_FILE = ("trade", "trade_eu27_imports_by_member_partner_cn8_2022_2023_comext.csv")
JAPAN_FILE = ("trade", "trade_japan_imports_hs2846_by_partner_2022_2024_comtrade_preview.csv")
CHINA_GROUP_FILE = ("trade", "trade_china_exports_re_group_by_partner_monthly_2017_2024.csv")
CHINA_HS6_GROUPS_FILE = ("trade", "trade_china_exports_re_by_hs6_monthly_2017_2024.csv")
GAC_REPORTED_FILE = ("trade", "china_customs_exports_reported.csv")
BUYER_SIDE_FILE = ("trade", "buyer_side_imports_reported.csv")
CHINA_FILE = ("trade", "china_customs_re_exports.csv")
AGREEMENTS_FILE = ("trade", "supply_agreements.csv")

SCENARIO_ASSUMPTIONS = (
    "Capacity means the holder's share of China's latest smelting/separation quota "
    "(marts.quota_by_holder), as in marts.buyer_exposure_chain.",
    "China's exports of every rare-earth HS code fall in proportion to the capacity cut "
    "(cut_fraction x the target's share of the quota).",
    "No other Chinese holder, no other country and no stock makes up the loss "
    "in the scenario year.",
    "Each buyer keeps its supplier mix; shortfall_share_of_imports is relative to the buyer's "
    "imports of that commodity from all suppliers in the same report.",
    "Imports from Hong Kong are not traced back to China (re-exports are not origins).",
    "Province of a holder = core.organisations.hq_province_id (headquarters, not plant sites).",
)


class TradeSelection(dg.Config):
    """Which HS6 codes the readers keep (the rare-earth codes by default)."""

    hs_codes: list[str] = list(RARE_EARTH_HS_CODES)  # noqa: RUF012 (pydantic copies defaults)


class TradeMartConfig(dg.Config):
    """`include_synthetic`: keep synthetic rows in marts (flagged is_synthetic); off by default."""

    include_synthetic: bool = False
