# One command per task, the same locally and in CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNSTAMP := $(VENV)/.installed

.PHONY: run demo test lint typecheck bench eval kb-check docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNSTAMP)

## run: set up and start the web app and API on http://127.0.0.1:8000
run: $(RUNSTAMP)
	$(BIN)/myotriage serve --host 127.0.0.1 --port 8000

## demo: one assessment in the terminal
demo: $(RUNSTAMP)
	$(BIN)/myotriage assess --age 34 --sex female \
		--yes twitch_present,twitch_site_leg,stress_high \
		--no weakness,muscle_wasting --value caffeine_mg_per_day=500

## test: set up dev tools, then lint, type-check and run the whole suite
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: speed and memory figures (engine vs pgmpy, assess latency, peak memory)
bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1)) || \
		echo "wrk could not be installed: the API load benchmark uses its Python client"
	$(BIN)/python -m benchmarks.engine
	$(BIN)/python -m benchmarks.interview
	$(BIN)/python -m benchmarks.parse
	$(BIN)/python -m benchmarks.api_load

## eval: the product's figures on the development vignettes
eval: $(STAMP)
	$(BIN)/myotriage eval ../shared/vignettes/dev --mode full

kb-check: $(STAMP)
	$(BIN)/myotriage kb check

## docs: regenerate docs/cli.md, docs/red-flags.md, docs/knowledge-summary.md
docs: $(STAMP)
	$(BIN)/python tools/gen_docs.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
