# The two commands of the README: `make serve` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install build serve check test clean update-golden

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

test: install chromium
	$(BIN)/python -m pytest

clean:
	rm -rf _site .cache .pytest_cache build src/*.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
