-- Violations: any negative tonnage in the capacity tables.
SELECT format('quota {} ({} row {}): negative tonnage {:,.0f} t', quota_id, source_file, source_row, tonnes_reo) AS problem
FROM core.quotas WHERE tonnes_reo < 0
UNION ALL
SELECT format('reallocation {} leg {}: negative tonnage {:,.0f} t', event_id, leg, tonnes_reo)
FROM core.reallocations WHERE tonnes_reo < 0
UNION ALL
SELECT format('holding of {} in {}: negative tonnage {:,.0f} t', holder_id, province_id, tonnes_reo)
FROM core.holdings_baseline WHERE tonnes_reo < 0;
