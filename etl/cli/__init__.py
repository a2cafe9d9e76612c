"""The `reekg` console script (declared in pyproject.toml as `etl.cli.main:app`)."""
