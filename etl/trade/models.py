"""Trade vocabulary: table names, HS codes, file layouts and the supply-agreement contract."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from etl.core.contracts import Contract, Field

SQL_DIR = Path(__file__).parent / "sql"

# Rare-earth HS6 codes kept by every reader (DOMAIN.md); configurable per call.
RARE_EARTH_HS_CODES: tuple[str, ...] = ("280530", "284610", "284690", "850511", "253090")
# 4-digit headings kept beside their 6-digit children (never added to them): 2846 is wholly
# rare-earth (284610 + 284690); 2805, 8505 and 2530 are not, so they are not kept.
RARE_EARTH_HEADINGS: tuple[str, ...] = ("2846",)
# EU-27 members (ISO3): the EU27 buyer counts imports from partners outside this list only.
EU27_ISO3: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "EST", "ESP", "FIN", "FRA", "GRC", "HRV",
    "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SWE", "SVN",
    "SVK",
)  # fmt: skip
EU27_BUYER = "EU27"


def kept_codes(hs_codes: Sequence[str]) -> list[str]:
    """The HS6 codes asked for plus the rare-earth headings that hold one of them."""
    headings = [h for h in RARE_EARTH_HEADINGS if any(c.startswith(h) for c in hs_codes)]
    return [*hs_codes, *headings]


SYNTHETIC_SOURCE_ID = "synthetic-trade"
COMTRADE_SOURCE_ID = "un-comtrade"
BACI_SOURCE_ID = "cepii-baci"
US_BUNDLED_SOURCE_ID = "comtrade-us-re-akashok1"
COMEXT_BUNDLED_SOURCE_ID = "eurostat-comext-isi-backend"
COMEXT_SOURCE_ID = "eurostat-comext"
JAPAN_PREVIEW_SOURCE_ID = "comtrade-jpn-2846-preview-isi-backend"
CHINA_MONTHLY_SOURCE_ID = "comtrade-chn-re-exports-qennis"
GAC_REPORTED_SOURCE_ID = "gac-china-customs-reported"
BUYER_SIDE_SOURCE_ID = "buyer-side-imports-reported"

# Tables (constants only; never built from input).
FLOWS_TABLE = "core.trade_flows"
FLOWS_YEARLY_TABLE = "core.trade_flows_yearly"
CHINA_CUSTOMS_TABLE = "core.china_customs_trade"
CHINA_CUSTOMS_REPORTED_TABLE = "core.china_customs_reported"
CHINA_EXPORTS_GROUPS_TABLE = "core.china_exports_by_partner_group"
BUYER_SIDE_TABLE = "core.buyer_side_imports_reported"
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
DATASET_COMEXT = "trade.comext"
DATASET_AGREEMENTS = "trade.supply_agreements"

# Landing sub-folders (under settings.landing_dir) and file patterns.
LANDING_COMTRADE = ("trade", "comtrade")
LANDING_BACI = ("trade", "baci")
LANDING_COMEXT = ("trade", "comext")
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
    # value in its own currency (EUR for Comext, USD otherwise); value_usd only when reported
    # in USD (never converted without a sourced rate).
    "value": pl.Float64(),
    "currency": pl.String(),
    # national 8-digit code as reported (Comext CN8), its HS6 in hs_code
    "cn_code": pl.String(),
    # 'hs6', 'heading' (4-digit, never added to its children) or 'group' (codes summed by a
    # source, e.g. '280530+284690+850511', never split or added to its codes)
    "code_kind": pl.String(),
    # false when the source is known to miss rows (a missing row is not zero)
    "is_complete": pl.Boolean(),
}


def code_kind(hs_code: pl.Expr) -> pl.Expr:
    """'group' for summed codes ('a+b'), 'heading' for 4 digits, else 'hs6'."""
    return (
        pl.when(hs_code.str.contains(r"\+"))
        .then(pl.lit("group"))
        .when(hs_code.str.len_chars() == 4)
        .then(pl.lit("heading"))
        .otherwise(pl.lit("hs6"))
    )


def as_flows(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` in the core.trade_flows layout; the currency columns default to USD, the code
    kind follows from hs_code, and rows are complete unless the reader says otherwise."""
    defaults = {
        "value": pl.col("value_usd"),
        "currency": pl.lit("USD"),
        "cn_code": pl.lit(None, pl.String),
        "code_kind": code_kind(pl.col("hs_code")),
        "is_complete": pl.lit(True),
    }
    missing = [expr.alias(c) for c, expr in defaults.items() if c not in frame.columns]
    return frame.with_columns(missing).select(
        [pl.col(c).cast(t).alias(c) for c, t in FLOW_SCHEMA.items()]
    )


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

_PROVENANCE = (
    Field("is_derived", kind="bool", required=False),
    Field("source_repo", required=False),
    Field("source_path", required=False),
    Field("source_commit", required=False),
    Field("source_url", required=False),
    Field("note", required=False),
)

COMEXT_CONTRACT = Contract(
    name="comext_imports_cn8",
    description="Eurostat Comext imports by EU member (declarant) and partner, CN8, EUR.",
    key=("reporter_iso3", "partner_iso3", "flow", "cn8_code", "year"),
    fields=(
        Field("reporter_iso2", pattern=r"[A-Z]{2}", description="Comext spelling (Greece EL)"),
        Field("reporter_iso3", pattern=r"[A-Z]{3}"),
        Field("partner_iso2", pattern=r"[A-Z0-9]{2}"),
        Field("partner_iso3", pattern=r"[A-Z]{3}"),
        Field("flow", choices=("import",)),
        Field("cn8_code", pattern=r"\d{8}"),
        Field("cn8_description", required=False),
        Field("hs6_code", pattern=r"\d{6}"),
        Field("year", kind="int", minimum=1988),
        Field("value_eur", kind="float", minimum=0),
        Field("net_weight_kg", kind="float", required=False, minimum=0),
        *_PROVENANCE,
    ),
)

US_IMPORTS_CONTRACT = Contract(
    name="us_imports_by_partner",
    description="US-reported imports by partner and HS6 (UN Comtrade 842, re-aggregated), USD.",
    key=("year", "partner_iso3", "hs_code"),
    fields=(
        Field("reporter_iso3", choices=("USA",)),
        Field("partner_iso3", pattern=r"[A-Z0-9]{3}"),
        Field("partner_m49", required=False),
        Field("partner_name", required=False),
        Field("flow", choices=("import",)),
        Field("hs_code", pattern=r"\d{6}"),
        Field("hs_vintage", required=False),
        Field("year", kind="int", minimum=1988),
        Field("value_usd", kind="float", minimum=0),
        Field("share_of_us_imports_of_code", kind="float", required=False),
        Field("rank", kind="int", required=False),
        Field("net_weight_kg", kind="float", required=False, minimum=0),
        *_PROVENANCE,
    ),
)

JAPAN_PREVIEW_CONTRACT = Contract(
    name="japan_imports_comtrade_preview",
    description="Japan-reported imports by partner from the Comtrade public preview (incomplete).",
    key=("year", "partner_iso3", "hs_code"),
    fields=(
        Field("reporter_iso3", choices=("JPN",)),
        Field("partner_iso2", required=False),
        Field("partner_iso3", pattern=r"[A-Z0-9]{3}"),
        Field("flow", choices=("import",)),
        Field("hs_code", pattern=r"\d{4}|\d{6}"),
        Field("year", kind="int", minimum=1988),
        Field("value_usd", kind="float", minimum=0),
        Field("net_weight_kg", kind="float", required=False, minimum=0),
        *_PROVENANCE,
    ),
)

CHINA_GROUP_MONTHLY_CONTRACT = Contract(
    name="china_exports_group_by_partner_monthly",
    description="China-reported monthly exports by destination of a group of summed HS codes.",
    key=("partner_iso3", "hs_code", "year", "month"),
    fields=(
        Field("reporter_iso3", choices=("CHN",)),
        Field("partner_iso3", pattern=r"[A-Z]{3}"),
        Field("partner_name", required=False),
        Field("flow", choices=("export",)),
        Field("hs_code", pattern=r"\d{6}(\+\d{6})*", description="one code or a+b+c (a group)"),
        Field("year", kind="int", minimum=1988),
        Field("month", kind="int", minimum=1),
        Field("value_usd", kind="float", minimum=0),
        Field("net_weight_kg", kind="float", required=False, minimum=0),
        *_PROVENANCE,
    ),
)

CHINA_PARTNER_GROUP_CONTRACT = Contract(
    name="china_exports_by_hs6_partner_group_monthly",
    description="China-reported monthly exports per HS6 to a group of partners (not countries).",
    key=("partner_group", "hs_code", "year", "month"),
    fields=(
        Field("reporter_iso3", choices=("CHN",)),
        Field("partner_group", pattern=r"[A-Z_]+"),
        Field("flow", choices=("export",)),
        Field("hs_code", pattern=r"\d{6}"),
        Field("year", kind="int", minimum=1988),
        Field("month", kind="int", minimum=1),
        Field("value_usd", kind="float", minimum=0),
        Field("net_weight_kg", kind="float", required=False, minimum=0),
        *_PROVENANCE,
    ),
)

_REPORTED_FIGURE = (
    Field("metric"),
    Field("value", kind="float"),
    Field("unit"),
    Field("qualifier", required=False),
)

GAC_REPORTED_CONTRACT = Contract(
    name="china_customs_exports_reported",
    description="China customs (GAC) figures as reported by the press, one stated number a row.",
    fields=(
        Field("period", pattern=r"\d{4}(-\d{2})?(/\d{4}-\d{2})?"),
        Field("period_type"),
        Field("reporter_iso3", pattern=r"[A-Z]{3}"),
        Field("partner_iso3", description="ISO3, WLD, EU27, a list a+b or company:<name>"),
        Field("flow", choices=("export", "import")),
        Field("product"),
        *_REPORTED_FIGURE,
        Field("outlet_or_attribution", required=False),
        Field("source_url"),
        Field("is_derived", kind="bool", required=False),
        Field("note", required=False),
    ),
)

BUYER_SIDE_CONTRACT = Contract(
    name="buyer_side_imports_reported",
    description="Import-side figures reported by buyers' agencies (cross-check, not flows).",
    fields=(
        Field("reporter"),
        Field("reporter_iso3", pattern=r"[A-Z0-9]{3,4}"),
        Field("partner_iso3"),
        Field("flow", choices=("import", "export")),
        Field("product_scope"),
        Field("hs_or_cn_codes", required=False),
        Field("period"),
        Field("period_type"),
        *_REPORTED_FIGURE,
        Field("statistical_source", required=False),
        Field("source_url"),
        Field("is_derived", kind="bool", required=False),
        Field("note", required=False),
    ),
)
