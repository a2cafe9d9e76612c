"""Run tags and the retry policy every domain's jobs share."""

import dagster as dg

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
TRIGGER_TAG = "reekg/trigger"
FILES_TAG = "reekg/files"

# A file still being copied, a network share hiccup or a DuckDB lock held too long are transient.
FILE_READ_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2.0, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
