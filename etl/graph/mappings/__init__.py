"""The graph's `TableMapping`s by domain, gathered in `etl.graph.models`."""
