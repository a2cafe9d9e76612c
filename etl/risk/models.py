"""Contracts of the supply-risk inputs: governance indicators, the 2023 assessment's shares and
parameters, and this project's method parameters and HS6 proxies."""

from __future__ import annotations

from etl.core.contracts import Contract, Field

ISO3 = r"[A-Z]{3}"
STAGES = ("E", "P")
WGI_DIMENSIONS = ("va", "pv", "ge", "rq", "rl", "cc")
# The repository files the bundled rows were transcribed from, and their source ids.
SOURCE_BY_PATH = {
    "Data/fact_GlobalSupplyShares&t.csv": "ec-crm2023-annex7-transcribed",
    "Data/fact_EUSupplyShares&t.csv": "ec-crm2023-annex7-transcribed",
    "Data/dimension_CRMsOverTime.csv": "ec-crm-annex4-transcribed",
    "input_data/seeds/eureport_results.csv": "ec-crm2023-results-critmat",
    "input_data/seeds/eureport_tradeparameters.csv": "ec-crm2023-results-critmat",
    "crm_analyse.ods": "ec-crm2020-eol-rir-dw",
}
SOURCE_FIELDS = (
    Field("source_repo", description="Repository the row was transcribed from"),
    Field("source_path", choices=tuple(SOURCE_BY_PATH), description="File in that repository"),
    Field("source_commit", pattern=r"[0-9a-f]{40}"),
)

WGI = Contract(
    "wgi_estimates",
    (
        Field("wb_code", pattern=ISO3, description="World Bank economy code"),
        Field("iso3", required=False, pattern=ISO3, description="ISO 3166 alpha-3 (or XKX)"),
        Field("country_name"),
        Field("year", "int", minimum=1996),
        Field("dimension", choices=WGI_DIMENSIONS),
        Field(
            "estimate",
            "float",
            description="Estimate, about -2.5 (worst) to 2.5 (a few lie beyond)",
        ),
    ),
    key=("wb_code", "year", "dimension"),
    description="World Bank Worldwide Governance Indicators, 2024 update, one estimate a row.",
)

SHARES = Contract(
    "crm_supply_shares",
    (
        Field("assessment_year", "int", minimum=2011),
        Field("scope", choices=("global_supply", "eu_sourcing")),
        Field("material", description="As published (individual element or HREE group)"),
        Field("ree_group", choices=("LREE", "HREE", "Sc")),
        Field("stage", choices=STAGES, description="E extraction, P processing"),
        Field("country_as_published"),
        Field("iso3", pattern=ISO3),
        Field("share_as_published"),
        Field("share_pct", "float", required=False, minimum=0, description="Percent; blank <0.1%"),
        Field("share_qualifier", required=False),
        Field("t", "float", minimum=0, description="Trade-related variable"),
        *SOURCE_FIELDS,
    ),
    key=("assessment_year", "scope", "material", "stage", "iso3"),
    description="EU CRM assessment supply shares by country and stage, with t (Appendix 7).",
)

PARAMETERS = Contract(
    "crm_parameters",
    (
        Field("assessment_year", "int", minimum=2011),
        Field("material"),
        Field("ree_group", choices=("LREE", "HREE", "Sc")),
        Field("stage", choices=(*STAGES, "overall")),
        Field("parameter"),
        Field("value", description="As published: a number, a flag or a stage name"),
        Field("unit"),
        Field("note", required=False),
        *SOURCE_FIELDS,
    ),
    key=("assessment_year", "material", "stage", "parameter", "source_path"),
    description="EU CRM assessment parameters and results per rare earth (SR, IR, EoL-RIR, SI).",
)

METHOD = Contract(
    "risk_method_parameters",
    (
        Field("parameter"),
        Field("value"),
        Field("unit"),
        Field("basis", choices=("follows a source", "assumption")),
        Field("source_id"),
        Field("note"),
    ),
    key=("parameter",),
    description="This project's supply-risk method parameters (reference years, scenario factors).",
)

HS_PROXY = Contract(
    "risk_hs_stage_proxy",
    (
        Field("hs_code", pattern=r"[0-9]{6}"),
        Field("element_symbol", pattern=r"[A-Z][a-z]?"),
        Field("stage", choices=("extraction", "processing")),
        Field("product_form", choices=("ore", "compound", "metal")),
        Field("note"),
    ),
    key=("hs_code", "element_symbol", "stage"),
    description="HS6 headings read as a proxy for an element's stage in trade-based sourcing.",
)
