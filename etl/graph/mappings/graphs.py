"""What the mappings of every domain share: the named graphs, code lists, the source link."""

from __future__ import annotations

from rdflib import URIRef

from etl.graph.mapping import Ref
from etl.graph.vocab import REE, entity

GRAPH_ONTOLOGY = "ontology"
GRAPH_PROVENANCE = "provenance"
GRAPH_REFERENCE = "reference"
GRAPH_QUOTAS = "capacity-quotas"
GRAPH_REALLOCATIONS = "capacity-reallocations"
GRAPH_FACILITIES = "capacity-facilities"
GRAPH_CONSOLIDATION = "capacity-consolidation"
GRAPH_CONTROLS = "controls"
GRAPH_PRODUCTION = "production"
GRAPH_AGREEMENTS = "trade-agreements"
GRAPH_RISK = "risk"

QUOTA_TYPES = {"mining": REE.mining, "smelting_separation": REE.smeltingSeparation}
ORE_TYPES = {"all": REE.allOreTypes, "rock": REE.rockType, "ion": REE.ionType}
ELEMENT_CLASSES = {"light": REE.light, "medium": REE.medium, "heavy": REE.heavy}
ORG_CLASSES = {"group": REE.Group, "company": REE.Company, "government": REE.GovernmentBody}
CODE_SCHEMES = {"HS6": REE.hsScheme, "CN8": REE.cn8Scheme}
RISK_STAGES = {"extraction": REE.extractionStage, "processing": REE.processingStage}
RISK_VARIANTS = {
    "baseline": REE.baselineVariant,
    "china_export_control_t": REE.chinaExportControlVariant,
    "china_quota_groups": REE.chinaQuotaGroupsVariant,
}
TRADE_DIRECTIONS = {
    "import": REE.importFlow,
    "export": REE.exportFlow,
    "re_import": REE.reImportFlow,
    "re_export": REE.reExportFlow,
    "reconciled": REE.reconciledFlow,
}

SOURCE = (REE.source, Ref("source", "source_id"))


def dataset_iri(name: str) -> URIRef:
    """The qb:DataSet that the observations of one table belong to."""
    return entity("dataset", name)
