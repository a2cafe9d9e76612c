"""Mappings of the supply-risk graph: marts.supply_risk and the sources of its inputs."""

from __future__ import annotations

from etl.graph.mapping import Concept, Const, Lit, Ref, TableMapping
from etl.graph.mappings.graphs import GRAPH_RISK, RISK_STAGES, RISK_VARIANTS, SOURCE, dataset_iri
from etl.graph.vocab import QB, REE

MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        name="supply_risk", table="marts.supply_risk", sql="select_supply_risk",
        graph=GRAPH_RISK, kind="supply-risk", key="key", classes=(REE.SupplyRisk,),
        properties=(
            (QB.dataSet, Const(dataset_iri("supply-risk"))),
            (REE.assessmentYear, Lit("assessment_year", "integer")),
            (REE.riskImporter, Ref("country", "importer_iso3")),
            (REE.importerCode, Lit("importer")),
            (REE.materialName, Lit("material")),
            (REE.riskElement, Ref("element", "element_symbol")),
            (REE.riskStage, Concept("stage", RISK_STAGES)),
            (REE.variant, Concept("variant", RISK_VARIANTS)),
            (REE.sourcingBasis, Lit("sourcing_basis")),
            (REE.isProxy, Lit("is_proxy", "boolean")),
            (REE.commodity, Ref("commodity", "proxy_hs_code")),
            (REE.year, Lit("trade_year", "integer")),
            (REE.sourcingCurrency, Lit("currency")),
            (REE.supplyBasis, Lit("supply_basis")),
            (REE.hhiWgiGlobal, Lit("hhi_wgi_global", "decimal")),
            (REE.hhiWgiSourcing, Lit("hhi_wgi_sourcing", "decimal")),
            (REE.importReliance, Lit("import_reliance", "decimal")),
            (REE.eolRecyclingInputRate, Lit("eol_rir", "decimal")),
            (REE.substitutionIndex, Lit("si_sr", "decimal")),
            (REE.globalTerm, Lit("global_term", "decimal")),
            (REE.sourcingTerm, Lit("sourcing_term", "decimal")),
            (REE.largestTerm, Lit("largest_term")),
            (REE.topSupplier, Ref("country", "top_supplier_iso3")),
            (REE.chinaTradeFactor, Lit("china_t", "decimal")),
            (REE.supplyRiskValue, Lit("supply_risk", "decimal")),
            (REE.publishedSupplyRisk, Lit("published_supply_risk", "decimal")),
            (REE.supplyRiskDifference, Lit("difference", "decimal")),
            (REE.isComputed, Lit("is_computed", "boolean")),
            (REE.valueLabel, Lit("value_label")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="supply_risk_sources", table="marts.supply_risk",
        sql="select_supply_risk_sources", graph=GRAPH_RISK, kind="supply-risk", key="key",
        properties=((REE.inputSource, Ref("source", "source_id")),),
    ),
)  # fmt: skip
