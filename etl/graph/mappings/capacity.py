"""Mappings of China's capacity graphs: quotas, holdings, reallocations, facilities, plans."""

from __future__ import annotations

from rdflib import RDFS
from rdflib.namespace import ORG

from etl.graph.mapping import Concept, Const, KindRef, Lang, Lit, Ref, TableMapping
from etl.graph.mappings.graphs import (
    GRAPH_CONSOLIDATION,
    GRAPH_FACILITIES,
    GRAPH_QUOTAS,
    GRAPH_REALLOCATIONS,
    ORE_TYPES,
    QUOTA_TYPES,
    SOURCE,
    dataset_iri,
)
from etl.graph.vocab import QB, REE

MAPPINGS: tuple[TableMapping, ...] = (
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
)  # fmt: skip
