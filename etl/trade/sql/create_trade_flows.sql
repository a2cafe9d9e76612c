-- core.trade_flows: every kept trade row, one dataset partition at a time (see docs/trade.md).
CREATE TABLE IF NOT EXISTS core.trade_flows (
    dataset VARCHAR NOT NULL,
    partition_key VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER,
    period VARCHAR NOT NULL,
    freq VARCHAR NOT NULL,
    reporter_iso3 VARCHAR,
    partner_iso3 VARCHAR,
    exporter_iso3 VARCHAR NOT NULL,
    importer_iso3 VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    reporter_side VARCHAR NOT NULL,
    counts_as_origin BOOLEAN NOT NULL,
    is_aggregate_partner BOOLEAN NOT NULL,
    hs_code VARCHAR NOT NULL,
    classification VARCHAR,
    tonnes DOUBLE,
    value_usd DOUBLE,
    release VARCHAR,
    source_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT,
    value DOUBLE,
    currency VARCHAR,
    cn_code VARCHAR,
    code_kind VARCHAR,
    is_complete BOOLEAN
);
-- A warehouse built before the currency and code-kind columns gets them (older rows: USD).
ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS value DOUBLE;
ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS currency VARCHAR;
ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS cn_code VARCHAR;
ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS code_kind VARCHAR;
ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS is_complete BOOLEAN;
UPDATE core.trade_flows SET value = value_usd, currency = 'USD' WHERE currency IS NULL;
UPDATE core.trade_flows SET code_kind = CASE WHEN hs_code LIKE '%+%' THEN 'group'
    WHEN length(hs_code) = 4 THEN 'heading' ELSE 'hs6' END WHERE code_kind IS NULL;
UPDATE core.trade_flows SET is_complete = true WHERE is_complete IS NULL
