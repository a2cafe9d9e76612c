-- The published snapshot in DuckDB's v1.4.0 storage format, so DuckDB clients from 1.4 on
-- (CLI, JDBC, ODBC, older Python wheels) open it; DuckDB 2.x writes a newer format by default.
-- COPY FROM DATABASE carries every schema, table, view, macro (incl. table macros) and
-- constraint. Paths come from the variables reekg_working and reekg_snapshot.
ATTACH getvariable('reekg_working') AS reekg_working (READ_ONLY);
ATTACH getvariable('reekg_snapshot') AS reekg_snapshot (STORAGE_VERSION 'v1.4.0');
COPY FROM DATABASE reekg_working TO reekg_snapshot;
DETACH reekg_snapshot;
DETACH reekg_working;
