"""Test data of the graph domain: a tiny warehouse with every core table, and example IRIs.

The tables follow docs/warehouse.md column for column; the rows are a few real reference rows
(CREG, Jiangxi, Nd) and the illustrative Jiangxi reallocation, enough to exercise every mapping.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

HERE = Path(__file__).parent
GOLDEN_TTL = HERE / "golden" / "tiny.trig"

ID = "https://w3id.org/reekg/id/"
CREG = f"{ID}org/china-rare-earth-group"
JIANGXI = f"{ID}province/CN-JX"

CORE_DDL = """
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE core.sources (source_id VARCHAR, title VARCHAR, publisher VARCHAR, url VARCHAR,
    published_on DATE, kind VARCHAR, license VARCHAR, notes VARCHAR);
CREATE TABLE core.elements (symbol VARCHAR, name VARCHAR, atomic_number INTEGER,
    oxide_formula VARCHAR, element_class VARCHAR, class_source_id VARCHAR, wikidata_qid VARCHAR,
    source_id VARCHAR);
CREATE TABLE core.commodities (hs_code VARCHAR, description VARCHAR, scheme VARCHAR,
    notes VARCHAR, source_id VARCHAR);
CREATE TABLE core.provinces (province_id VARCHAR, name_en VARCHAR, name_zh VARCHAR,
    source_id VARCHAR);
CREATE TABLE core.countries (iso3 VARCHAR, iso2 VARCHAR, m49 INTEGER, name VARCHAR,
    is_aggregate BOOLEAN, source_id VARCHAR);
CREATE TABLE core.organisations (org_id VARCHAR, name VARCHAR, org_type VARCHAR,
    parent_org_id VARCHAR, hq_province_id VARCHAR, hq_country_iso3 VARCHAR, founded_on DATE,
    dissolved_on DATE, is_illustrative BOOLEAN, source_id VARCHAR);
CREATE TABLE core.organisation_events (event_id VARCHAR, event_type VARCHAR, event_date DATE,
    from_org_id VARCHAR, to_org_id VARCHAR, description VARCHAR, source_id VARCHAR);
CREATE TABLE core.quotas (quota_id VARCHAR, year INTEGER, batch VARCHAR, quota_type VARCHAR,
    ore_type VARCHAR, scope VARCHAR, holder_kind VARCHAR, holder_id VARCHAR, tonnes_reo DOUBLE,
    is_derived BOOLEAN, source_id VARCHAR, source_note VARCHAR, source_file VARCHAR,
    source_row BIGINT);
CREATE TABLE core.holdings_baseline (province_id VARCHAR, holder_id VARCHAR,
    quota_type VARCHAR, as_of DATE, tonnes_reo DOUBLE, source_id VARCHAR);
CREATE TABLE core.reallocations (event_id VARCHAR, leg INTEGER, province_id VARCHAR,
    effective_date DATE, from_holder_id VARCHAR, to_holder_id VARCHAR, quota_type VARCHAR,
    tonnes_reo DOUBLE, reason VARCHAR, source_id VARCHAR);
CREATE TABLE core.facilities (figure_id VARCHAR, facility_id VARCHAR, name VARCHAR,
    operator_id VARCHAR, country_iso3 VARCHAR, location VARCHAR, stage VARCHAR,
    capacity_value DOUBLE, capacity_value_max DOUBLE, capacity_unit VARCHAR, basis VARCHAR,
    figure_year INTEGER, status VARCHAR, evidence VARCHAR, is_derived BOOLEAN, source_id VARCHAR,
    source_row BIGINT);
CREATE TABLE core.production (edition VARCHAR, country_iso3 VARCHAR, year INTEGER,
    tonnes_reo DOUBLE, is_estimate BOOLEAN, reserves_t DOUBLE, production_notes VARCHAR,
    reserves_notes VARCHAR, source_id VARCHAR, qualifier VARCHAR, reserves_qualifier VARCHAR);
CREATE TABLE core.production_world (edition VARCHAR, year INTEGER, tonnes_reo DOUBLE,
    reserves_t DOUBLE, is_rounded BOOLEAN, source_id VARCHAR, qualifier VARCHAR,
    reserves_qualifier VARCHAR);
CREATE TABLE core.us_salient (edition VARCHAR, country_iso3 VARCHAR, commodity VARCHAR,
    year INTEGER, item VARCHAR, value DOUBLE, qualifier VARCHAR, unit VARCHAR,
    element_symbol VARCHAR, source_column VARCHAR, source_id VARCHAR, source_file VARCHAR,
    source_row BIGINT);
"""

TRADE_DDL = """
CREATE TABLE core.trade_flows (dataset VARCHAR, partition_key VARCHAR, year INTEGER,
    month INTEGER, period VARCHAR, freq VARCHAR, reporter_iso3 VARCHAR, partner_iso3 VARCHAR,
    exporter_iso3 VARCHAR, importer_iso3 VARCHAR, flow VARCHAR, reporter_side VARCHAR,
    counts_as_origin BOOLEAN, is_aggregate_partner BOOLEAN, hs_code VARCHAR,
    classification VARCHAR, tonnes DOUBLE, value_usd DOUBLE, release VARCHAR, source_id VARCHAR,
    source_file VARCHAR, source_row BIGINT, value DOUBLE, currency VARCHAR, cn_code VARCHAR,
    code_kind VARCHAR, is_complete BOOLEAN);
"""

TINY_ROWS = """
INSERT INTO core.sources VALUES
 ('wikipedia-creg', 'China Rare Earth Group', 'Wikipedia',
  'https://en.wikipedia.org/wiki/China_Rare_Earth_Group', NULL, 'reference', 'CC BY-SA 4.0',
  'Formed on 2021-12-23 "from" Chinalco''s business'),
 ('illustrative-jx', 'Worked example (ILLUSTRATIVE)', 'reekg project', NULL, '2024-01-01',
  'illustrative', 'Apache-2.0', NULL);
INSERT INTO core.elements VALUES
 ('Nd', 'Neodymium', 60, 'Nd2O3', 'light', 'wikipedia-creg', 'Q1388', 'wikipedia-creg');
INSERT INTO core.commodities VALUES
 ('280530', 'Rare-earth metals, scandium and yttrium', 'HS6', NULL, 'wikipedia-creg');
INSERT INTO core.provinces VALUES ('CN-JX', 'Jiangxi', '江西', 'wikipedia-creg');
INSERT INTO core.countries VALUES
 ('CHN', 'CN', 156, 'China', false, 'wikipedia-creg'),
 ('USA', 'US', 840, 'United States of America', false, 'wikipedia-creg'),
 ('WLD', NULL, 0, 'World', true, 'wikipedia-creg');
INSERT INTO core.organisations VALUES
 ('china-rare-earth-group', 'China Rare Earth Group', 'group', NULL, 'CN-JX', 'CHN',
  '2021-12-23', NULL, false, 'wikipedia-creg'),
 ('china-southern-rare-earth', 'China Southern Rare Earth', 'group', NULL, 'CN-JX', 'CHN', NULL,
  '2021-12-23', false, 'wikipedia-creg'),
 ('sep-a', 'Separator A (illustrative)', 'company', 'china-rare-earth-group', 'CN-JX', 'CHN',
  NULL, NULL, true, 'illustrative-jx'),
 ('sep-b', 'Separator B (illustrative)', 'company', NULL, 'CN-JX', 'CHN', NULL, NULL, true,
  'illustrative-jx');
INSERT INTO core.organisation_events VALUES
 ('creg-2021', 'merger', '2021-12-23', 'china-southern-rare-earth', 'china-rare-earth-group',
  'CREG formed', 'wikipedia-creg');
INSERT INTO core.quotas VALUES
 ('2023-1-smelting_separation-all-group-china-rare-earth-group', 2023, '1',
  'smelting_separation', 'all', 'group', 'organisation', 'china-rare-earth-group', 33304.0,
  false, 'wikipedia-creg', NULL, 'data/capacity/q.csv', 7),
 ('2023-1-smelting_separation-all-national-CHN', 2023, '1', 'smelting_separation', 'all',
  'national', 'country', 'CHN', 115000.0, false, 'wikipedia-creg', 'MIIT notice',
  'data/capacity/q.csv', 2);
INSERT INTO core.holdings_baseline VALUES
 ('CN-JX', 'sep-a', 'smelting_separation', '2024-01-01', 600.0, 'illustrative-jx'),
 ('CN-JX', 'sep-b', 'smelting_separation', '2024-01-01', 300.5, 'illustrative-jx');
INSERT INTO core.reallocations VALUES
 ('jx-1', 1, 'CN-JX', '2024-07-01', 'sep-b', 'sep-a', 'smelting_separation', 50.25,
  'efficiency', 'illustrative-jx');
INSERT INTO core.facilities VALUES
 ('jx-plant-2', 'jx-plant', 'Jiangxi plant', 'sep-a', 'CHN', 'Ganzhou', 'separation', 1000.0,
  NULL, 't REO', 'nameplate', 2024, 'operating', '"1,000 t"', false, 'illustrative-jx', 2);
INSERT INTO core.production VALUES
 ('MCS2024', 'CHN', 2023, 240000.0, true, 44000000.0, 'quota', NULL, 'wikipedia-creg', NULL,
  NULL);
INSERT INTO core.production_world VALUES
 ('MCS2024', 2023, 350000.0, 110000000.0, true, 'wikipedia-creg', NULL, '>');
INSERT INTO core.us_salient VALUES
 ('MCS2024', 'USA', 'Rare Earths', 2023, 'net_import_reliance_compounds_and_metals', 95.0, '>',
  'percent of apparent consumption', NULL, 'NIR_Compounds-Metals_t', 'wikipedia-creg', 'x.csv',
  6),
 ('MCS2024', 'USA', 'Rare Earths', 2023, 'net_import_reliance_mineral_concentrates', NULL, 'E',
  'percent of apparent consumption', NULL, 'NIR_Concentrate_t', 'wikipedia-creg', 'x.csv', 6),
 ('MCS2024', 'USA', 'Rare Earths', 2023, 'price_neodymium_oxide_99.5pct', 80.0, NULL, 'USD/kg',
  'Nd', 'Price_Nd2O3_dkg', 'wikipedia-creg', 'x.csv', 6);
"""

TINY_TRADE_ROWS = """
INSERT INTO core.trade_flows VALUES
 ('trade.comtrade', '2021', 2021, NULL, '2021', 'A', 'USA', 'CHN', 'CHN', 'USA', 'import',
  'importer', true, false, '280530', 'HS2017', 12.5, 1234567.89, 'r1', 'wikipedia-creg',
  'landing/x.csv', 2, 1234567.89, 'USD', NULL, 'hs6', true);
"""


def make_tiny_warehouse(path: Path, *, trade: bool = True, extra_sql: str = "") -> Path:
    """A DuckDB file with every core table and the tiny rows (trade table optional)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(CORE_DDL)
        con.execute(TINY_ROWS)
        if trade:
            con.execute(TRADE_DDL)
            con.execute(TINY_TRADE_ROWS)
        if extra_sql:
            con.execute(extra_sql)
    finally:
        con.close()
    return path
