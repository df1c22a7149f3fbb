# One command per task, the same locally and in CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNSTAMP := $(VENV)/.installed

NODE_STAMP := node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

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

# What the browser tests (tests/browser) need besides Python: Debian's Chromium, driven by
# Playwright, and axe-core from npm (package-lock.json). MYOTRIAGE_SKIP_BROWSER=1 skips both,
# and the browser tests then skip saying why.
ifeq ($(MYOTRIAGE_SKIP_BROWSER),1)
BROWSER_DEPS :=
else
BROWSER_DEPS := $(CHROMIUM) $(NODE_STAMP)
endif

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && \
		 DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null) || \
		(echo "could not install chromium (apt-get needs root): install it, or set" \
		      "MYOTRIAGE_SKIP_BROWSER=1 to skip the browser tests" >&2; exit 1)

$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm >/dev/null)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## run: set up and start the web app and API on http://127.0.0.1:8000
run: $(RUNSTAMP)
	$(BIN)/myotriage serve --host 127.0.0.1 --port 8000

## demo: one assessment in the terminal
demo: $(RUNSTAMP)
	$(BIN)/myotriage assess --age 34 --sex female \
		--yes twitch_present,twitch_site_leg,stress_high \
		--no weakness,muscle_wasting --value caffeine_mg_per_day=500

## test: set up dev tools (and the browser tests' Chromium and axe-core), then lint,
## type-check and run the whole suite
test: $(STAMP) $(BROWSER_DEPS) lint typecheck
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
