"""Every trade asset: partitions (`ingest.py`), bundled files (`bundled.py`), marts (`marts.py`)."""

from etl.trade.bundled import bundled_flows, supply_agreements
from etl.trade.comext import comext
from etl.trade.ingest import baci, comtrade_annual, comtrade_monthly
from etl.trade.marts import (
    buyer_exposure_chain,
    buyer_supplier_shares,
    buyers,
    mirror_discrepancy,
    scenario_shortfall,
    trade_flows_mart,
    trade_flows_yearly,
)
from etl.trade.reported import reported_figures

PARTITIONED_ASSETS = [comtrade_annual, comtrade_monthly, baci, comext]
UNPARTITIONED_ASSETS = [
    bundled_flows,
    reported_figures,
    supply_agreements,
    trade_flows_mart,
    trade_flows_yearly,
    buyer_supplier_shares,
    mirror_discrepancy,
    buyer_exposure_chain,
    scenario_shortfall,
    buyers,
]
ASSETS = [*PARTITIONED_ASSETS, *UNPARTITIONED_ASSETS]
