"""Query surfaces: command line, SPARQL endpoint, external triple-store publishing."""
