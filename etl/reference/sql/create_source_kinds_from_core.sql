CREATE OR REPLACE TEMP TABLE trade_source_kinds AS SELECT source_id, kind FROM core.sources
