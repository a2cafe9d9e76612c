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

from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG

from etl.graph.mapping import (
    Concept,
    Const,
    KindRef,
    Lang,
    Lit,
    Ref,
    TableMapping,
    Url,
    Wikidata,
)
from etl.graph.vocab import QB, REE, entity

SQL_DIR = Path(__file__).parent / "sql"

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

MAPPINGS: tuple[TableMapping, ...] = (
    TableMapping(
        name="sources", table="core.sources", sql="select_sources", graph=GRAPH_REFERENCE,
        kind="source", key="key", classes=(REE.Source,),
        properties=(
            (DCTERMS.title, Lit("title")),
            (REE.publisherName, Lit("publisher")),
            (DCAT.landingPage, Url("url")),
            (DCTERMS.issued, Lit("published_on", "date")),
            (REE.sourceKind, Lit("kind")),
            (REE.licenceText, Lit("license")),
            (RDFS.comment, Lit("notes")),
        ),
    ),
    TableMapping(
        name="elements", table="core.elements", sql="select_elements", graph=GRAPH_REFERENCE,
        kind="element", key="key", classes=(REE.Element,),
        properties=(
            (SKOS.inScheme, Const(REE.elementScheme)),
            (RDFS.label, Lang("name", "en")),
            (SKOS.notation, Lit("key")),
            (REE.symbol, Lit("key")),
            (REE.atomicNumber, Lit("atomic_number", "integer")),
            (REE.oxide, Ref("oxide", "oxide_formula")),
            (REE.elementClass, Concept("element_class", ELEMENT_CLASSES)),
            (REE.classSource, Ref("source", "class_source_id")),
            (OWL.sameAs, Wikidata("wikidata_qid")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="oxides", table="core.elements", sql="select_oxides", graph=GRAPH_REFERENCE,
        kind="oxide", key="key", classes=(REE.Oxide,),
        properties=(
            (SKOS.inScheme, Const(REE.oxideScheme)),
            (RDFS.label, Lit("key")),
            (SKOS.notation, Lit("key")),
            (REE.element, Ref("element", "symbol")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="commodities", table="core.commodities", sql="select_commodities",
        graph=GRAPH_REFERENCE, kind="commodity", key="key", classes=(REE.Commodity,),
        properties=(
            (SKOS.inScheme, Concept("scheme", CODE_SCHEMES)),
            (SKOS.notation, Lit("key")),
            (SKOS.prefLabel, Lang("description", "en")),
            (SKOS.scopeNote, Lit("notes")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="provinces", table="core.provinces", sql="select_provinces", graph=GRAPH_REFERENCE,
        kind="province", key="key", classes=(REE.Province,),
        properties=(
            (REE.provinceCode, Lit("key")),
            (RDFS.label, Lang("name_en", "en")),
            (RDFS.label, Lang("name_zh", "zh")),
            (REE.country, Ref("country", "country_iso3")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="countries", table="core.countries", sql="select_countries", graph=GRAPH_REFERENCE,
        kind="country", key="key", classes=(REE.Country,),
        properties=(
            (REE.iso3, Lit("key")),
            (REE.iso2, Lit("iso2")),
            (REE.m49, Lit("m49", "integer")),
            (RDFS.label, Lang("name", "en")),
            (REE.isAggregate, Lit("is_aggregate", "boolean")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="organisations", table="core.organisations", sql="select_organisations",
        graph=GRAPH_REFERENCE, kind="org", key="key",
        properties=(
            (RDF.type, Concept("org_type", ORG_CLASSES)),
            (RDFS.label, Lang("name", "en")),
            (ORG.subOrganizationOf, Ref("org", "parent_org_id")),
            (REE.province, Ref("province", "hq_province_id")),
            (REE.country, Ref("country", "hq_country_iso3")),
            (REE.foundedOn, Lit("founded_on", "date")),
            (REE.dissolvedOn, Lit("dissolved_on", "date")),
            (REE.isIllustrative, Lit("is_illustrative", "boolean")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="organisation_events", table="core.organisation_events",
        sql="select_organisation_events", graph=GRAPH_REFERENCE, kind="event", key="key",
        classes=(ORG.ChangeEvent,),
        properties=(
            (REE.eventType, Lit("event_type")),
            (DCTERMS.date, Lit("event_date", "date")),
            (ORG.originalOrganization, Ref("org", "from_org_id")),
            (ORG.resultingOrganization, Ref("org", "to_org_id")),
            (DCTERMS.description, Lit("description")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="quotas", table="core.quotas", sql="select_quotas", graph=GRAPH_QUOTAS,
        kind="quota", key="key", classes=(REE.Quota,),
        properties=(
            (QB.dataSet, Const(dataset_iri("quotas"))),
            (REE.year, Lit("year", "integer")),
            (REE.batch, Lit("batch")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
            (REE.oreType, Concept("ore_type", ORE_TYPES)),
            (REE.scope, Lit("scope")),
            (REE.holder, KindRef("holder_iri_kind", "holder_id")),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            (REE.isDerived, Lit("is_derived", "boolean")),
            (REE.sourceNote, Lit("source_note")),
            (REE.sourceFile, Lit("source_file")),
            (REE.sourceRow, Lit("source_row", "integer")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="holdings", table="core.holdings_baseline", sql="select_holdings",
        graph=GRAPH_REALLOCATIONS, kind="holding", key="key", classes=(REE.Holding,),
        properties=(
            (QB.dataSet, Const(dataset_iri("holdings"))),
            (REE.province, Ref("province", "province_id")),
            (REE.holder, Ref("org", "holder_id")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
            (REE.asOf, Lit("as_of", "date")),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="reallocations", table="core.reallocations", sql="select_reallocations",
        graph=GRAPH_REALLOCATIONS, kind="reallocation", key="key", classes=(REE.Reallocation,),
        properties=(
            (REE.province, Ref("province", "province_id")),
            (REE.effectiveDate, Lit("effective_date", "date")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
        ),
    ),
    TableMapping(
        name="reallocation_links", table="core.reallocations", sql="select_reallocation_links",
        graph=GRAPH_REALLOCATIONS, kind="reallocation", key="key",
        properties=((REE.leg, Ref("reallocation-leg", "leg_key")), SOURCE),
    ),
    TableMapping(
        name="reallocation_legs", table="core.reallocations", sql="select_reallocation_legs",
        graph=GRAPH_REALLOCATIONS, kind="reallocation-leg", key="key",
        classes=(REE.ReallocationLeg,),
        properties=(
            (QB.dataSet, Const(dataset_iri("reallocations"))),
            (REE.legNumber, Lit("leg", "integer")),
            (REE.province, Ref("province", "province_id")),
            (REE.effectiveDate, Lit("effective_date", "date")),
            (REE.fromHolder, Ref("org", "from_holder_id")),
            (REE.toHolder, Ref("org", "to_holder_id")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            (REE.reason, Lit("reason")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="facilities", table="core.facilities", sql="select_facilities",
        graph=GRAPH_FACILITIES, kind="facility", key="key", classes=(REE.Facility,),
        properties=(
            (RDFS.label, Lang("name", "en")),
            (REE.operator, Ref("org", "operator_id")),
            (REE.country, Ref("country", "country_iso3")),
            (REE.locationText, Lit("location")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="facility_capacities", table="core.facilities", sql="select_facility_capacities",
        graph=GRAPH_FACILITIES, kind="facility-capacity", key="key",
        classes=(REE.FacilityCapacity,),
        properties=(
            (REE.facility, Ref("facility", "facility_id")),
            (REE.stage, Lit("stage")),
            (REE.capacityValue, Lit("capacity_value", "decimal")),
            (REE.capacityValueMax, Lit("capacity_value_max", "decimal")),
            (REE.capacityUnit, Lit("capacity_unit")),
            (REE.capacityBasis, Lit("basis")),
            (REE.year, Lit("figure_year", "integer")),
            (REE.status, Lit("status")),
            (REE.evidence, Lit("evidence")),
            (REE.isDerived, Lit("is_derived", "boolean")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="replacement_plans", table="core.capacity_replacements",
        sql="select_replacement_plans", graph=GRAPH_CONSOLIDATION, kind="replacement-plan",
        key="key", classes=(REE.ReplacementPlan,),
        properties=(
            (REE.province, Ref("province", "province_id")),
            (REE.announcedOn, Lit("announced_on", "date")),
            (REE.dateAsPublished, Lit("date_as_published")),
            (REE.statedTotal, Lit("stated_total_t", "decimal")),
            (REE.newCapacity, Lit("unitemised_capacity_t", "decimal")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="capacity_replacements", table="core.capacity_replacements",
        sql="select_capacity_replacements", graph=GRAPH_CONSOLIDATION, kind="reallocation",
        key="key", classes=(REE.Reallocation,),
        properties=(
            (REE.plan, Ref("replacement-plan", "plan_id")),
            (REE.province, Ref("province", "province_id")),
            (REE.effectiveDate, Lit("announced_on", "date")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
            (REE.receivingHolder, Ref("org", "receiving_org_id")),
            (REE.newCapacity, Lit("new_capacity_t", "decimal")),
            (REE.ownCapacityReplaced, Lit("own_replaced_t", "decimal")),
            (REE.projectType, Lit("project_type")),
            (REE.status, Lit("status")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="capacity_replacement_links", table="core.capacity_replacement_legs",
        sql="select_capacity_replacement_links", graph=GRAPH_CONSOLIDATION,
        kind="reallocation", key="key",
        properties=((REE.leg, Ref("reallocation-leg", "leg_key")),),
    ),
    TableMapping(
        name="capacity_replacement_legs", table="core.capacity_replacement_legs",
        sql="select_capacity_replacement_legs", graph=GRAPH_CONSOLIDATION,
        kind="reallocation-leg", key="key", classes=(REE.ReallocationLeg,),
        properties=(
            (QB.dataSet, Const(dataset_iri("capacity-replacements"))),
            (REE.legNumber, Lit("leg", "integer")),
            (REE.province, Ref("province", "province_id")),
            (REE.effectiveDate, Lit("effective_date", "date")),
            (REE.fromHolder, Ref("org", "from_holder_id")),
            (REE.toHolder, Ref("org", "to_holder_id")),
            (REE.quotaType, Concept("quota_type", QUOTA_TYPES)),
            (REE.tonnesREO, Lit("tonnes_reo", "decimal")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="organisation_memberships", table="core.organisation_memberships",
        sql="select_organisation_memberships", graph=GRAPH_CONSOLIDATION, kind="membership",
        key="key", classes=(ORG.Membership,),
        properties=(
            (ORG.member, Ref("org", "member_org_id")),
            (ORG.organization, Ref("org", "org_id")),
            (REE.membershipRole, Lit("role")),
            (REE.sharePercent, Lit("share_pct", "decimal")),
            (REE.startDate, Lit("start_date", "date")),
            (REE.dateAsPublished, Lit("date_as_published")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="export_controls", table="core.export_controls", sql="select_export_controls",
        graph=GRAPH_CONTROLS, kind="export-control", key="key", classes=(REE.ExportControl,),
        properties=(
            (DCTERMS.title, Lit("document")),
            (REE.authority, Lit("authority")),
            (REE.controlType, Lit("event_type")),
            (REE.announcedOn, Lit("date_announced", "date")),
            (REE.dateAsPublished, Lit("date_announced_as_published")),
            (REE.effectiveOn, Lit("date_effective", "date")),
            (REE.status, Lit("status")),
            (REE.statusAsOf, Lit("status_as_of")),
            (REE.suspendedFrom, Lit("suspended_from", "date")),
            (REE.suspendedUntil, Lit("suspended_until", "date")),
            SOURCE,
        ),
    ),
    TableMapping(
        name="export_control_links", table="core.export_control_items",
        sql="select_export_control_links", graph=GRAPH_CONTROLS, kind="export-control",
        key="key",
        properties=(
            (REE.controlsElement, Ref("element", "element_symbol")),
            (REE.controlsHeading, Ref("commodity", "hs6")),
        ),
    ),
    TableMapping(
        name="export_control_items", table="core.export_control_items",
        sql="select_export_control_items", graph=GRAPH_CONTROLS, kind="controlled-item",
        key="key", classes=(REE.ControlledItem,),
        properties=(
            (REE.itemOf, Ref("export-control", "event_id")),
            (REE.controlsElement, Ref("element", "element_symbol")),
            (REE.itemText, Lit("item")),
            (REE.customsCode, Lit("customs_code")),
            (REE.controlsHeading, Ref("commodity", "hs6")),
            SOURCE,
        ),
    ),
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
