"""Trade vocabulary: table names, HS codes, file layouts and the supply-agreement contract."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from etl.core.contracts import Contract, Field

SQL_DIR = Path(__file__).parent / "sql"

# Rare-earth HS6 codes kept by every reader (DOMAIN.md); configurable per call.
RARE_EARTH_HS_CODES: tuple[str, ...] = ("280530", "284610", "284690", "850511", "253090")

SYNTHETIC_SOURCE_ID = "synthetic-trade"
COMTRADE_SOURCE_ID = "un-comtrade"
BACI_SOURCE_ID = "cepii-baci"
US_BUNDLED_SOURCE_ID = "comtrade-us-280530-akashok1"

# Tables (constants only; never built from input).
FLOWS_TABLE = "core.trade_flows"
FLOWS_YEARLY_TABLE = "core.trade_flows_yearly"
CHINA_CUSTOMS_TABLE = "core.china_customs_trade"
AGREEMENTS_TABLE = "core.supply_agreements"
BUYERS_TABLE = "core.buyers"
MART_FLOWS = "marts.trade_flows"
MART_SHARES = "marts.buyer_supplier_shares"
MART_MIRROR = "marts.mirror_discrepancy"
MART_EXPOSURE = "marts.buyer_exposure_chain"
MART_SCENARIO_INFO = "marts.scenario_shortfall_assumptions"
QUOTA_MART = "marts.quota_by_holder"

# Datasets as written to core.trade_flows.dataset and quarantine.rejected_rows.dataset.
DATASET_COMTRADE = "trade.comtrade"
DATASET_BACI = "trade.baci"
DATASET_BUNDLED = "trade.bundled"
DATASET_AGREEMENTS = "trade.supply_agreements"

# Landing sub-folders (under settings.landing_dir) and file patterns.
LANDING_COMTRADE = ("trade", "comtrade")
LANDING_BACI = ("trade", "baci")
LANDING_AGREEMENTS = ("trade", "agreements")
COMTRADE_GLOB = "*.csv"
BACI_GLOB = "BACI_*_Y*_*.csv"
BACI_COUNTRY_GLOB = "country_codes_V*.csv"
SOURCE_SIDECAR_SUFFIX = ".source_id"

COMTRADE_COLUMNS: tuple[str, ...] = (
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
)
BACI_COLUMNS: tuple[str, ...] = ("t", "i", "j", "k", "v", "q")
BACI_COUNTRY_COLUMNS: tuple[str, ...] = (
    "country_code",
    "country_name",
    "country_iso2",
    "country_iso3",
)

# Comtrade flow codes we keep, as (flow, reporter side, counts as origin of the goods).
COMTRADE_FLOWS: dict[str, tuple[str, str, bool]] = {
    "M": ("import", "importer", True),
    "X": ("export", "exporter", True),
    "RM": ("re_import", "importer", False),
    "RX": ("re_export", "exporter", False),
}

# HS revision as Comtrade (H0..H7) and BACI (HS92..HS22) name it -> one spelling.
CLASSIFICATIONS: dict[str, str] = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
    "H7": "HS2027",
    "HS92": "HS1992",
    "HS96": "HS1996",
    "HS02": "HS2002",
    "HS07": "HS2007",
    "HS12": "HS2012",
    "HS17": "HS2017",
    "HS22": "HS2022",
    "HS27": "HS2027",
}

# Columns of core.trade_flows, in order, with their Polars types.
FLOW_SCHEMA: dict[str, pl.DataType] = {
    "dataset": pl.String(),
    "partition_key": pl.String(),
    "year": pl.Int32(),
    "month": pl.Int32(),
    "period": pl.String(),
    "freq": pl.String(),
    "reporter_iso3": pl.String(),
    "partner_iso3": pl.String(),
    "exporter_iso3": pl.String(),
    "importer_iso3": pl.String(),
    "flow": pl.String(),
    "reporter_side": pl.String(),
    "counts_as_origin": pl.Boolean(),
    "is_aggregate_partner": pl.Boolean(),
    "hs_code": pl.String(),
    "classification": pl.String(),
    "tonnes": pl.Float64(),
    "value_usd": pl.Float64(),
    "release": pl.String(),
    "source_id": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}


SUPPLY_AGREEMENT_CONTRACT = Contract(
    name="supply_agreements",
    description="Long-term supply agreements between a buyer and a supplier, one row each.",
    key=("agreement_id",),
    fields=(
        Field("agreement_id", pattern=r"[a-z0-9][a-z0-9-]*", description="slug, unique"),
        Field("buyer_id", pattern=r"[A-Za-z0-9][A-Za-z0-9-]*", description="org_id or ISO3"),
        Field("buyer_name"),
        Field("buyer_kind", choices=("country", "company")),
        Field("supplier_id", pattern=r"[A-Za-z0-9][A-Za-z0-9-]*"),
        Field("supplier_name"),
        Field("commodity", description="HS6 code or product name as the source gives it"),
        Field("volume_tonnes_per_year", kind="float", required=False, minimum=0),
        Field("start_date", kind="date", required=False),
        Field("end_date", kind="date", required=False),
        Field("source_id"),
        Field("notes", required=False),
    ),
)

US_BUNDLED_CONTRACT = Contract(
    name="us_imports_hs280530_by_partner",
    description="US imports of HS 280530 by partner, re-aggregated from UN Comtrade (842).",
    key=("year", "partner_iso3"),
    fields=(
        Field("basket", required=False),
        Field("canonical_product_id", pattern=r"\d{6}"),
        Field("year", kind="int", minimum=1988),
        Field("partner_code", required=False),
        Field("partner_iso3", pattern=r"[A-Z0-9]{3}"),
        Field("partner_name", required=False),
        Field("is_aggregate_partner", kind="bool"),
        Field("import_value_usd", kind="float", minimum=0),
        Field("share", kind="float", required=False),
        Field("rank", kind="int", required=False),
    ),
)

CHINA_CUSTOMS_CONTRACT = Contract(
    name="china_customs_re_exports",
    description="China customs (GAC) rare-earth totals and magnet exports by destination, tonnes.",
    fields=(
        Field("period", pattern=r"\d{4}(-\d{2})?(/\d{4}-\d{2})?"),
        Field("flow", choices=("export", "import")),
        Field("product"),
        Field("partner"),
        Field("tonnes", kind="float", minimum=0),
        Field("source_url"),
        Field("note", required=False),
    ),
)
