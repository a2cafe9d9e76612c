"""Mappings of the production graph: mine output, world totals, US net import reliance."""

from __future__ import annotations

from etl.graph.mapping import Const, Lit, Ref, TableMapping
from etl.graph.mappings.graphs import GRAPH_PRODUCTION, SOURCE, dataset_iri
from etl.graph.vocab import QB, REE

MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        name="production", table="core.production", sql="select_production",
        graph=GRAPH_PRODUCTION, kind="production", key="key", classes=(REE.Production,),
        properties=(
            (QB.dataSet, Const(dataset_iri("production"))),
            (REE.edition, Lit("edition")),
            (REE.country, Ref("country", "country_iso3")),
            (REE.year, Lit("year", "integer")),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            (REE.qualifier, Lit("qualifier")),
            (REE.isEstimate, Lit("is_estimate", "boolean")),
            (REE.reservesTonnes, Lit("reserves_t", "decimal")),
            (REE.reservesQualifier, Lit("reserves_qualifier")),
            (REE.productionNote, Lit("production_notes")),
            (REE.reservesNote, Lit("reserves_notes")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="production_world", table="core.production_world", sql="select_production_world",
        graph=GRAPH_PRODUCTION, kind="production", key="key", classes=(REE.Production,),
        properties=(
            (QB.dataSet, Const(dataset_iri("production"))),
            (REE.edition, Lit("edition")),
            (REE.country, Ref("country", "country_iso3")),
            (REE.year, Lit("year", "integer")),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            (REE.qualifier, Lit("qualifier")),
            (REE.reservesTonnes, Lit("reserves_t", "decimal")),
            (REE.reservesQualifier, Lit("reserves_qualifier")),
            (REE.isRounded, Lit("is_rounded", "boolean")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="net_import_reliance", table="core.us_salient",
        sql="select_production_import_reliance", graph=GRAPH_PRODUCTION,
        kind="import-reliance", key="key", classes=(REE.NetImportReliance,),
        properties=(
            (QB.dataSet, Const(dataset_iri("net-import-reliance"))),
            (REE.edition, Lit("edition")),
            (REE.country, Ref("country", "country_iso3")),
            (REE.year, Lit("year", "integer")),
            (REE.materialForm, Lit("material_form")),
            (REE.percentOfConsumption, Lit("nir_pct", "decimal")),
            (REE.qualifier, Lit("qualifier")),
            (REE.isNetExporter, Lit("is_net_exporter", "boolean")),
            SOURCE,
        ),
    ),
)  # fmt: skip
