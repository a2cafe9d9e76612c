"""Default limits of every SPARQL query, shared by `reekg serve` and `reekg sparql`.

Kept free of heavy imports so the command line can show them in `--help` without loading the
endpoint or the query workers.
"""

DEFAULT_TIMEOUT = 30.0  # seconds a query may run before its worker is killed
DEFAULT_MAX_ROWS = 10_000  # rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a query returns
DEFAULT_MEMORY_MB = 2048  # data-segment ceiling of each query worker, MiB
DEFAULT_WORKERS = 2  # query worker processes of the endpoint
