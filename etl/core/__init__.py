"""Shared building blocks: the warehouse resource, CSV contracts with quarantine, metadata."""
