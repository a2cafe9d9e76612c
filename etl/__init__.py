"""reekg: the rare-earth supply chain as a DuckDB warehouse and an RDF knowledge graph."""
