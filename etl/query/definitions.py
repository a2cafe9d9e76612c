"""Dagster definitions of the query domain (gathered by etl/definitions.py).

The external-store publishing asset is only defined when `REEKG_EXTERNAL_STORE_URL` (the Graph
Store Protocol URL, e.g. `http://host:7878/store`) is set; `REEKG_EXTERNAL_STORE_QUERY_URL`
(e.g. `http://host:7878/query`) enables pruning and count verification.
"""

from __future__ import annotations

import os

import dagster as dg

from etl.publish.external import external_graph
from etl.publish.graph_store import GraphStoreResource

STORE_URL_VAR = "REEKG_EXTERNAL_STORE_URL"
QUERY_URL_VAR = "REEKG_EXTERNAL_STORE_QUERY_URL"


def build_query_defs(environ: os._Environ[str] | dict[str, str] = os.environ) -> dg.Definitions:
    """The query domain's definitions; empty unless an external store URL is configured."""
    url = environ.get(STORE_URL_VAR)
    if not url:
        return dg.Definitions()
    resource = GraphStoreResource(url=url, query_url=environ.get(QUERY_URL_VAR) or None)
    return dg.Definitions(assets=[external_graph], resources={"external_graph_store": resource})


defs = build_query_defs()
