"""What every trade asset module shares: group, owners, upstream keys, files, run config."""

import dagster as dg

from etl.trade.models import RARE_EARTH_HS_CODES

GROUP = "trade"
OWNERS = ["team:trade"]

REF_COUNTRIES = dg.AssetKey(["reference", "countries"])
REF_SOURCES = dg.AssetKey(["reference", "sources"])
REF_ORGANISATIONS = dg.AssetKey(["reference", "organisations"])
QUOTA_BY_HOLDER = dg.AssetKey(["marts", "quota_by_holder"])
US_FILE = ("trade", "us_imports_hs280530_by_partner.csv")
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
