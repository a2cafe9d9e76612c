-- Fallback before the reference domain has built core.sources: the registry file itself.
CREATE OR REPLACE TEMP TABLE trade_source_kinds AS
SELECT source_id, kind FROM read_csv($path, header = true, all_varchar = true)
