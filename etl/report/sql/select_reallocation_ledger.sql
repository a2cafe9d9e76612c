-- Before, change and after of every reallocation event, per province and holder.
SELECT
    event_id, effective_date, province_id, quota_type, row_kind, holder_id, holder_name,
    before_t, change_t, after_t, reasons, source_id, is_illustrative
FROM marts.reallocation_ledger
ORDER BY province_id, effective_date, event_id, row_kind, holder_id
