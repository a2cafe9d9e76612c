"""IRIs of the graph: the reekg ontology namespace, entity IRIs and named graphs.

`REE` follows rdflib's own `DefinedNamespace` modules (one typed attribute per term, with the
term's definition as comment); `tests/graph/test_vocab.py` checks that every attribute is
declared with a label in `ontology/reekg.ttl` and every ontology term is listed here, so code
cannot use an undeclared term.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from etl.settings import ONTOLOGY_DIR

BASE = "https://w3id.org/reekg/"
ID = Namespace(f"{BASE}id/")
GRAPH = Namespace(f"{BASE}graph/")
ONTOLOGY_IRI = URIRef(f"{BASE}ontology")
ONTOLOGY_FILE = ONTOLOGY_DIR / "reekg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
QUERIES_DIR = ONTOLOGY_DIR / "queries"

QB = Namespace("http://purl.org/linked-data/cube#")
WD = Namespace("http://www.wikidata.org/entity/")


class REE(DefinedNamespace):
    """The reekg ontology (ontology/reekg.ttl)."""

    _fail = True
    _NS = Namespace(f"{BASE}ontology#")

    # classes
    Buyer: URIRef  # A consumer of rare-earth products abroad (magnet, car or turbine maker, gov...
    Commodity: URIRef  # A traded product class identified by a customs code (HS 6-digit or Chin...
    Company: URIRef  # An operating company, possibly a subsidiary (org:subOrganizationOf) of a ...
    Country: URIRef  # A country or area with a UN M49 code, or a statistical aggregate of them ...
    DataFile: URIRef  # A file read by a run (bundled CSV, landing file or warehouse database), ...
    Element: URIRef  # A rare-earth element: one of the 15 lanthanides, scandium or yttrium.
    ElementClass: URIRef  # A grouping of rare-earth elements (light, medium, heavy) as stated b...
    Facility: URIRef  # A mine, concentration, separation, metal or magnet plant with an operato...
    Figure: URIRef  # One published number (a quota, holding, transfer, production or trade figu...
    Group: URIRef  # A state rare-earth group or holding company to which quotas are allocated (...
    Holding: URIRef  # The capacity one holder has in a province at a date, the baseline that re...
    IngestionRun: URIRef  # One build of the graph from the warehouse: when it ran and which fil...
    NetImportReliance: URIRef  # A country's net import reliance on a material form of rare eart...
    OreType: URIRef  # The deposit type a mining quota covers: rock-type (light), ion-adsorption...
    Organisation: URIRef  # A legal entity that holds quota, operates facilities, buys or suppli...
    Oxide: URIRef  # The usual traded oxide of a rare-earth element (Nd2O3, Dy2O3, ...), a conce...
    Production: URIRef  # Mine production of a country (or the world) in a year as a given editi...
    Province: URIRef  # A province-level division of China identified by its ISO 3166-2:CN code ...
    Quota: URIRef  # A total-quantity-control indicator (mining or smelting/separation) for a ye...
    QuotaType: URIRef  # The activity a quota controls: mining, or smelting and separation.
    Reallocation: URIRef  # A documented redistribution of a province's capacity among holders a...
    ReallocationLeg: URIRef  # One transfer of tonnage from one holder to another within a reall...
    Source: URIRef  # A publication, data release, web page or project note that states figures,...
    SupplyAgreement: URIRef  # A long-term offtake or supply contract between a buyer and a supp...
    Territory: URIRef  # A country or a subdivision of one that holds capacity, produces or trades.
    TradeDirection: URIRef  # The direction of a trade flow as the reporter declares it: import,...
    GovernmentBody: URIRef  # A state body that owns shares in rare-earth groups (SASAC, a city).
    ReplacementPlan: URIRef  # Capacity-replacement projects a province published together.
    ExportControl: URIRef  # A Chinese export-control measure with its dates and status.
    ControlledItem: URIRef  # One element (and customs code) an export control names.
    FacilityCapacity: URIRef  # One published capacity figure of a facility (stage, unit, basis).
    TradeFlow: URIRef  # The value (USD) and quantity of one commodity one reporter declares as ...

    # object properties
    exporter: URIRef  # The country the goods of a trade flow leave.
    importer: URIRef  # The country the goods of a trade flow enter.
    buyer: URIRef  # The buyer party of a supply agreement.
    classSource: URIRef  # The source of an element's class.
    commodity: URIRef  # The commodity a trade flow or agreement is about.
    country: URIRef  # The country the subject is located in (an organisation: its headquarters)...
    element: URIRef  # The element an oxide is the oxide of.
    elementClass: URIRef  # The class (light, medium, heavy) the source named by ree:classSource...
    fromHolder: URIRef  # The holder that gives up the tonnage of a reallocation leg.
    holder: URIRef  # Who a quota or holding is allotted to: the nation, a province or an organi...
    leg: URIRef  # A transfer that is part of a reallocation.
    operator: URIRef  # The organisation that operates a facility.
    oreType: URIRef  # The ore type a quota covers.
    oxide: URIRef  # The usual traded oxide of an element.
    partner: URIRef  # The country the reporter declares as origin (imports) or destination (exp...
    province: URIRef  # The Chinese province the subject is located in (an organisation: its hea...
    quotaType: URIRef  # Whether a figure is about mining or smelting/separation capacity.
    reporter: URIRef  # The country whose customs statistics declare a trade flow.
    source: URIRef  # The source that states this figure or fact.
    supplier: URIRef  # The supplier party of a supply agreement.
    toHolder: URIRef  # The holder that receives the tonnage of a reallocation leg.
    tradeDirection: URIRef  # Import, export, re-import or re-export, as the reporter declares.
    plan: URIRef  # The published plan a capacity-replacement project belongs to.
    receivingHolder: URIRef  # The firm whose new capacity a replacement project builds.
    facility: URIRef  # The facility a capacity figure is about.
    itemOf: URIRef  # The export control that names an item.
    controlsElement: URIRef  # An element an export control (or item) names.
    controlsHeading: URIRef  # An HS6 heading holding a line an export control names.

    # datatype properties
    productText: URIRef  # The product of an agreement as its source names it.
    firstYear: URIRef  # The first year the buyer appears in the trade or agreement data.
    lastYear: URIRef  # The last year the buyer appears in the trade or agreement data.
    asOf: URIRef  # The date a holding figure describes.
    atomicNumber: URIRef  # The atomic number of an element.
    batch: URIRef  # The batch of a quota within its year ('1', '2', '3') or 'annual' for the ye...
    buyerType: URIRef  # What kind of buyer it is (magnet maker, carmaker, government, ...).
    capacityTonnesPerYear: URIRef  # Nameplate capacity of a facility in tonnes of rare-earth ox...
    classification: URIRef  # The HS version the reporter used (HS2017, HS2022, ...); not reclas...
    dissolvedOn: URIRef  # The date an organisation ceased to exist as such (merged or dissolved).
    edition: URIRef  # The edition of a periodical source that reports the figure (MCS2024).
    effectiveDate: URIRef  # The date from which a reallocation applies.
    endDate: URIRef  # The date on which an agreement ends.
    eventType: URIRef  # The kind of organisational change (merger, renaming, split, ...).
    feedstock: URIRef  # What a facility takes in (ore, concentrate, ...).
    foundedOn: URIRef  # The date an organisation was founded.
    isAggregate: URIRef  # True for statistical aggregates (World, EU, residuals) that must not ...
    isDerived: URIRef  # True when the figure is computed from other figures rather than printed...
    isEstimate: URIRef  # True when the source marks the figure as an estimate.
    isIllustrative: URIRef  # True for entities made up to illustrate a mechanism; never to be p...
    isNetExporter: URIRef  # True when the source marks the country as a net exporter (USGS E).
    isRounded: URIRef  # True when the source rounds the figure (USGS world totals).
    isSynthetic: URIRef  # True for a trade flow generated by the project (opt-in only).
    iso2: URIRef  # The two-letter ISO 3166-1 code.
    iso3: URIRef  # The three-letter ISO 3166-1 code (or the project code of an aggregate such a...
    legNumber: URIRef  # The position of a leg within its reallocation.
    licenceText: URIRef  # The licence of a source as its publisher states it (free text, e.g. C...
    m49: URIRef  # The UN M49 numeric code, as UN Comtrade uses it.
    materialForm: URIRef  # The form of the material a reliance figure covers (compounds_and_m...
    month: URIRef  # The month (1-12) a monthly figure refers to.
    path: URIRef  # Path of a data file, relative to the project or data folder where possible.
    percentOfConsumption: URIRef  # A quantity as a percent of apparent consumption (net impo...
    productionNote: URIRef  # The source's footnote on a production figure.
    products: URIRef  # What a facility produces, as its operator describes it.
    provinceCode: URIRef  # The ISO 3166-2:CN code of a province (alpha codes since 2017; CN-HA ...
    publisherName: URIRef  # The name of the organisation or site that published a source.
    quantityTonnes: URIRef  # Traded net weight or agreed volume in metric tonnes of product (no...
    qualifier: URIRef  # The source's qualifier on the figure's main number (>, <, W, XX, E, N...
    reason: URIRef  # The stated aim of a transfer (efficiency, environmental compliance, ...).
    reservesNote: URIRef  # The source's footnote on a reserves figure.
    reservesQualifier: URIRef  # The source's qualifier on a reserves figure (>, NA, ...).
    reservesTonnes: URIRef  # Reserves of the country in tonnes of rare-earth oxide equivalent, ...
    scope: URIRef  # The level a quota figure is given at: national, group or province.
    sha256: URIRef  # Hex SHA-256 checksum of a data file's bytes when the run read it.
    sourceFile: URIRef  # The file the figure was read from.
    sourceKind: URIRef  # official, press_report, derived, reference, illustrative or synthetic.
    sourceNote: URIRef  # What the source says about the figure, or how it was derived.
    sourceRow: URIRef  # The physical line of the source file the figure was read from (header i...
    startDate: URIRef  # The date from which an agreement applies.
    status: URIRef  # Operating status of a facility or agreement (operating, planned, ...).
    symbol: URIRef  # The chemical symbol of an element.
    tonnesREO: URIRef  # Quantity in metric tonnes of rare-earth oxide equivalent.
    valueUSD: URIRef  # Trade value in US dollars (CIF for imports, FOB for exports).
    tradeValue: URIRef  # Trade value in the currency the reporter gives (ree:currency)...
    currency: URIRef  # ISO 4217 code of the currency of ree:tradeValue (EUR, USD).
    cnCode: URIRef  # The 8-digit national code a flow was reported under (EU Combined Nome...
    codeKind: URIRef  # hs6, heading (4-digit, never added to its subheadings) or group (sum...
    isComplete: URIRef  # False when the flow's source is known to miss rows (a missing row ...
    year: URIRef  # The calendar year a figure refers to.
    newCapacity: URIRef  # The capacity a replacement project builds (t REO/yr).
    ownCapacityReplaced: URIRef  # The receiving firm's own capacity retired and replaced.
    statedTotal: URIRef  # The total a plan's publication states, as published.
    projectType: URIRef  # The kind of replacement project as published.
    sharePercent: URIRef  # The percentage of an organisation a member holds.
    membershipRole: URIRef  # shareholder or controlling shareholder.
    dateAsPublished: URIRef  # A date exactly as its source prints it.
    authority: URIRef  # The issuing authority of an export control.
    controlType: URIRef  # The kind of export-control measure as published.
    announcedOn: URIRef  # The date a measure or plan was announced.
    effectiveOn: URIRef  # The date an export control takes effect.
    statusAsOf: URIRef  # When the recorded status was read.
    suspendedFrom: URIRef  # The date from which an export control is suspended.
    suspendedUntil: URIRef  # The date until which an export control is suspended.
    customsCode: URIRef  # A 10-digit Chinese customs code as published.
    itemText: URIRef  # What is controlled, as published.
    stage: URIRef  # Supply-chain stage of a capacity figure.
    capacityValue: URIRef  # Published capacity per year in ree:capacityUnit.
    capacityValueMax: URIRef  # Upper end of a published capacity range.
    capacityUnit: URIRef  # Unit of a capacity figure (never add different units).
    capacityBasis: URIRef  # nameplate, target, actual or estimate.
    evidence: URIRef  # The source's words quoted for a figure.
    locationText: URIRef  # Where a facility is, as its source names the place.

    # concepts, schemes and data structures
    reconciledFlow: URIRef  # A bilateral flow reconciled from both sides' declarations (BACI).
    cn8Scheme: URIRef  # China's national 8-digit customs codes (85051110 rare-earth magnets).
    elementScheme: URIRef  # The 17 rare-earth elements as concepts (id/element/{symbol}).
    replacementStructure: URIRef  # Dimensions and measure of capacity-replacement legs.
    hsScheme: URIRef  # HS6 commodity codes of the World Customs Organization (id/commodity/{code}).
    oxideScheme: URIRef  # The usual traded oxides of the rare-earth elements (id/oxide/{formula}).
    allOreTypes: URIRef  # A figure not split by ore type (every smelting/separation quota, and ...
    elementClasses: URIRef  # Light, medium and heavy rare-earth element classes.
    exportFlow: URIRef  # Goods leaving the reporter's territory.
    heavy: URIRef  # Heavy rare-earth elements (Gd to Lu and Y in common usage).
    holdingStructure: URIRef  # Dimensions and measure of holding and reallocation-leg observations.
    importFlow: URIRef  # Goods entering the reporter's territory.
    ionType: URIRef  # Ion-adsorption clay deposits of southern China, mainly medium and heavy r...
    light: URIRef  # Light rare-earth elements (La to Sm in common usage).
    medium: URIRef  # Medium rare-earth elements (Eu, sometimes Gd), a class some sources use.
    mining: URIRef  # The mining total-quantity-control indicator (t REO of ore mined).
    oreTypes: URIRef  # Ore types distinguished by mining quotas.
    importRelianceStructure: URIRef  # Dimensions and measure of net import reliance observat...
    productionStructure: URIRef  # Dimensions and measures of mine production observations.
    quotaStructure: URIRef  # Dimensions and measure of quota observations.
    quotaTypes: URIRef  # The two total-quantity-control indicators of China's quota system.
    reExportFlow: URIRef  # Foreign goods exported again after having been imported.
    reImportFlow: URIRef  # Goods imported again after having been exported.
    rockType: URIRef  # Hard-rock deposits, mainly light rare earths (Bayan Obo, Sichuan, Shandong).
    smeltingSeparation: URIRef  # The smelting and separation (processing) total-quantity-contro...
    tradeDirections: URIRef  # Directions of reported trade flows (UN Comtrade flow codes M, X, ...
    tradeStructure: URIRef  # Dimensions and measures of trade-flow observations.

    # supply risk (etl/risk, marts.supply_risk)
    SupplyRisk: URIRef  # The supply risk of a material at one stage for one importer and sce...
    SupplyChainStage: URIRef  # A stage of the supply chain the EU method assesses: extraction...
    RiskVariant: URIRef  # A named scenario of the supply-risk mart (baseline, China's export c...
    riskImporter: URIRef  # The importer (country or the EU aggregate) a supply risk is for.
    riskElement: URIRef  # The rare-earth element a supply risk is about (none for a group).
    riskStage: URIRef  # The supply-chain stage (extraction, processing) a supply risk is about.
    variant: URIRef  # The scenario a supply risk is computed under.
    topSupplier: URIRef  # The supplier country contributing most to the largest term.
    inputSource: URIRef  # A source of one of the inputs a computed figure is derived from.
    assessmentYear: URIRef  # The EU critical-raw-materials assessment whose method and para...
    importerCode: URIRef  # The importer code as the mart writes it (EU27, USA, DEU, ...).
    materialName: URIRef  # The material as the assessment names it (element or group).
    sourcingBasis: URIRef  # Where the sourcing shares come from: the EU assessment or trade.
    isProxy: URIRef  # True when the sourcing shares are an importer's trade in an HS6 heading.
    sourcingCurrency: URIRef  # The currency of the trade values the sourcing shares come from.
    supplyBasis: URIRef  # Whether the SR uses global supply only or global supply and sourcing.
    hhiWgiGlobal: URIRef  # HHI_WGI,t of global supply.
    hhiWgiSourcing: URIRef  # HHI_WGI,t of the importer's sourcing.
    importReliance: URIRef  # Import reliance used in the formula, as a fraction.
    eolRecyclingInputRate: URIRef  # End-of-life recycling input rate, as a fraction.
    substitutionIndex: URIRef  # Substitution index for supply risk (SI_SR).
    globalTerm: URIRef  # The global-supply term of the SR formula.
    sourcingTerm: URIRef  # The sourcing term of the SR formula.
    largestTerm: URIRef  # Which term of the formula is larger: global supply or sourcing.
    chinaTradeFactor: URIRef  # China's trade variable t under the scenario.
    supplyRiskValue: URIRef  # The supply risk computed by the EU method (0-10 scale).
    publishedSupplyRisk: URIRef  # The supply risk the EU published for the material and stage.
    supplyRiskDifference: URIRef  # Computed minus published supply risk.
    isComputed: URIRef  # True when the figure is computed here, not only published.
    valueLabel: URIRef  # How the figure stands: computed, published, both agree or differ.
    extractionStage: URIRef  # The extraction (mining) stage.
    processingStage: URIRef  # The processing (refining, separation, metal) stage.
    supplyChainStages: URIRef  # The stages of the EU supply-risk method.
    baselineVariant: URIRef  # The method as published, with the importer's own sourcing.
    chinaExportControlVariant: URIRef  # China's t raised for elements under an export control.
    chinaQuotaGroupsVariant: URIRef  # China's share split among its quota groups.
    riskVariants: URIRef  # The scenarios of the supply-risk mart.
    supplyRiskStructure: URIRef  # Dimensions and measures of supply-risk observations.


def entity(kind: str, key: str) -> URIRef:
    """The IRI of one entity: `https://w3id.org/reekg/id/{kind}/{key}` (key already IRI-safe)."""
    return ID[f"{kind}/{key}"]


def graph(name: str) -> URIRef:
    """The IRI of one named graph: `https://w3id.org/reekg/graph/{name}`."""
    return GRAPH[name]


PREFIXES: dict[str, str] = {
    "ree": str(REE._NS),
    "id": str(ID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": str(QB),
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "wd": str(WD),
}

ENTITY_KINDS = (
    "source", "element", "oxide", "commodity", "province", "country", "org", "event", "quota",
    "holding", "reallocation", "reallocation-leg", "facility", "production", "import-reliance",
    "tradeflow",
    "buyer", "agreement", "dataset", "run", "file", "release",
)  # fmt: skip

# Turtle files get one prefix per entity kind (quota:2023-1-...), which reads better than
# id:quota\/2023-1-... (a slash cannot appear unescaped in a prefixed name).
TURTLE_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k != "id"},
    **{kind: f"{ID}{kind}/" for kind in ENTITY_KINDS},
}
