-- Every row accounted for: per dataset, partition and file, rows in = landed + quarantined
-- + superseded (a later file holds the same key) + elsewhere (rows of other partitions).
CREATE TABLE IF NOT EXISTS quarantine.file_accounting (
    dataset VARCHAR NOT NULL,
    partition_key VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    rows_in BIGINT NOT NULL,
    rows_landed BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_superseded BIGINT NOT NULL,
    rows_elsewhere BIGINT NOT NULL
);
