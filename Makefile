# reekg: two commands on a fresh machine with Python 3.11 and make:
#   make run    set up, materialize every asset on the bundled data, print a summary
#   make test   set up, run the whole test suite
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help setup run test lint imports format dev serve bench browser postgres clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced ## Create .venv with the locked dependencies

run: setup ## Materialize every asset on the bundled data and print a summary
	$(BIN)/python -m etl.cli

browser: ## Install headless Chromium for the report test (Debian package)
	@if [ -f tests/report/ensure_chromium.sh ]; then bash tests/report/ensure_chromium.sh; fi

postgres: ## Install PostgreSQL's server for tests/deploy (Debian package)
	@bash tests/deploy/ensure_postgres.sh

test: lint browser postgres ## Linters (ruff, mypy, import graph), then the whole test suite
	$(BIN)/pytest -q --durations=15

lint: setup ## ruff (lint + format check), mypy, and the import graph of etl/ (no cycle)
	$(BIN)/ruff check etl tests bench tools
	$(BIN)/ruff format --check etl tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m tools.imports

imports: setup ## Import graph of etl/: cycles and layer breaches (function-level imports too)
	$(BIN)/python -m tools.imports

format: setup ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix etl tests bench tools
	$(BIN)/ruff format etl tests bench tools

dev: setup ## Dagster UI with the asset graph and daemon (http://127.0.0.1:3000)
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/var/dagster} $(BIN)/python -c "from etl.ops.instance import ensure_instance_home; from pathlib import Path; import os; ensure_instance_home(Path(os.environ['DAGSTER_HOME']))"
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/var/dagster} exec $(BIN)/python -m etl.cli.dev -w workspace.yaml -p $${DAGSTER_PORT:-3000}

serve: setup ## SPARQL endpoint on the published graph (http://127.0.0.1:7878)
	$(BIN)/reekg serve

bench: setup ## Benchmarks (slow; results in bench/*/RESULTS.md)
	$(BIN)/python -m bench

clean: ## Remove generated data (var/)
	rm -rf var
