"""Mappings of the trade graphs: flows (one graph per dataset), datasets, buyers, agreements."""

from __future__ import annotations

from rdflib import RDFS

from etl.graph.mapping import Concept, Const, KindRef, Lang, Lit, Ref, TableMapping
from etl.graph.mappings.graphs import GRAPH_AGREEMENTS, SOURCE, TRADE_DIRECTIONS
from etl.graph.vocab import QB, REE

MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        name="trade_flows", table="core.trade_flows", sql="select_trade_flows",
        graph="trade", graph_column="graph_name", kind="tradeflow", key="key",
        classes=(REE.TradeFlow,),
        properties=(
            (QB.dataSet, Ref("dataset", "graph_name")),
            (REE.exporter, Ref("country", "exporter_iso3")),
            (REE.importer, Ref("country", "importer_iso3")),
            (REE.reporter, Ref("country", "reporter_iso3")),
            (REE.partner, Ref("country", "partner_iso3")),
            (REE.tradeDirection, Concept("flow", TRADE_DIRECTIONS)),
            (REE.commodity, Ref("commodity", "hs_code")),
            (REE.year, Lit("year", "integer")),
            (REE.month, Lit("month", "integer")),
            (REE.classification, Lit("classification")),
            (REE.valueUSD, Lit("value_usd", "decimal")),
            (REE.tradeValue, Lit("value", "decimal")),
            (REE.currency, Lit("currency")),
            (REE.cnCode, Lit("cn_code")),
            (REE.codeKind, Lit("code_kind")),
            (REE.isComplete, Lit("is_complete", "boolean")),
            (REE.quantityTonnes, Lit("tonnes", "decimal")),
            (REE.sourceRow, Lit("source_row", "integer")),
            (REE.isSynthetic, Lit("is_synthetic", "boolean")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="buyers", table="core.buyers", sql="select_buyers", graph=GRAPH_AGREEMENTS,
        kind="buyer", key="key", classes=(REE.Buyer,),
        properties=(
            (RDFS.label, Lang("name", "en")),
            (REE.buyerType, Lit("buyer_kind")),
            (REE.country, Ref("country", "country_iso3")),
            (REE.firstYear, Lit("first_year", "integer")),
            (REE.lastYear, Lit("last_year", "integer")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="supply_agreements", table="core.supply_agreements", sql="select_supply_agreements",
        graph=GRAPH_AGREEMENTS, kind="agreement", key="key", classes=(REE.SupplyAgreement,),
        properties=(
            (REE.buyer, Ref("buyer", "buyer_id")),
            (REE.supplier, KindRef("supplier_iri_kind", "supplier_id")),
            (RDFS.label, Lit("label")),
            (REE.commodity, Ref("commodity", "hs_code")),
            (REE.productText, Lit("commodity")),
            (REE.quantityTonnes, Lit("volume_tonnes_per_year", "decimal")),
            (REE.startDate, Lit("start_date", "date")),
            (REE.endDate, Lit("end_date", "date")),
            (RDFS.comment, Lit("notes")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="trade_datasets", table="core.trade_flows", sql="select_trade_datasets",
        graph="trade", graph_column="key", kind="dataset", key="key", classes=(QB.DataSet,),
        properties=(
            (QB.structure, Const(REE.tradeStructure)),
            (RDFS.label, Lit("label")),
        ),
    ),
)  # fmt: skip
