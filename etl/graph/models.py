"""What the graph is made of: one `TableMapping` per warehouse query, grouped in named graphs.

Named graphs (`https://w3id.org/reekg/graph/{name}`), one per source dataset:

| graph | from |
|---|---|
| reference | core.sources, elements (+ oxides), commodities, provinces, countries, |
| | organisations, organisation_events |
| capacity-quotas | core.quotas |
| capacity-reallocations | core.holdings_baseline, core.reallocations |
| capacity-facilities | core.facilities (facilities and their capacity figures) |
| capacity-consolidation | core.capacity_replacements, core.capacity_replacement_legs, |
| | core.organisation_memberships |
| controls | core.export_controls, core.export_control_items |
| production | core.production, core.production_world, core.us_salient (net import reliance) |
| trade-{dataset} | core.trade_flows, one graph per value of its `dataset` column |
| trade-agreements | core.buyers, core.supply_agreements |
| ontology | ontology/reekg.ttl |
| risk | marts.supply_risk (observations and the sources of their inputs) |
| provenance | the run: when, which warehouse and files, which sources each graph derives from |
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from etl.graph.mapping import TableMapping
from etl.graph.mappings import capacity, controls, production, reference, risk, trade
from etl.graph.mappings.graphs import (
    GRAPH_CONSOLIDATION,
    GRAPH_ONTOLOGY,
    GRAPH_PRODUCTION,
    GRAPH_PROVENANCE,
    GRAPH_QUOTAS,
    GRAPH_REALLOCATIONS,
    GRAPH_RISK,
    dataset_iri,
)
from etl.graph.vocab import REE

# what the graph build imports from here
__all__ = ["DATA_SETS", "GRAPH_ONTOLOGY", "GRAPH_PROVENANCE", "MAPPINGS", "SQL_DIR", "dataset_iri"]

SQL_DIR = Path(__file__).parent / "sql"

# (dataset name, graph, structure, label): qb:DataSet nodes written once into their graph.
DATA_SETS: tuple[tuple[str, str, URIRef, str], ...] = (
    ("quotas", GRAPH_QUOTAS, REE.quotaStructure, "China rare-earth quotas"),
    ("holdings", GRAPH_REALLOCATIONS, REE.holdingStructure, "Capacity holdings by province"),
    ("reallocations", GRAPH_REALLOCATIONS, REE.holdingStructure, "Capacity reallocation legs"),
    ("production", GRAPH_PRODUCTION, REE.productionStructure, "Mine production by country"),
    (
        "net-import-reliance",
        GRAPH_PRODUCTION,
        REE.importRelianceStructure,
        "US net import reliance on rare earths",
    ),
    ("supply-risk", GRAPH_RISK, REE.supplyRiskStructure, "Supply risk by the EU CRM method"),
    (
        "capacity-replacements",
        GRAPH_CONSOLIDATION,
        REE.replacementStructure,
        "Capacity-replacement transfer legs",
    ),
)

# in this order: the graph writes mappings as listed
MAPPINGS: tuple[TableMapping, ...] = (
    *reference.MAPPINGS,
    *capacity.MAPPINGS,
    *controls.MAPPINGS,
    *production.MAPPINGS,
    *trade.MAPPINGS,
    *risk.MAPPINGS,
)
