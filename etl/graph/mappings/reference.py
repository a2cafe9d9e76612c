"""Mappings of the reference graph: sources, elements, commodities, places, organisations."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, SKOS
from rdflib.namespace import DCAT, DCTERMS, ORG

from etl.graph.mapping import Concept, Const, Lang, Lit, Ref, TableMapping, Url, Wikidata
from etl.graph.mappings.graphs import (
    CODE_SCHEMES,
    ELEMENT_CLASSES,
    GRAPH_REFERENCE,
    ORG_CLASSES,
    SOURCE,
)
from etl.graph.vocab import REE

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
)  # fmt: skip
