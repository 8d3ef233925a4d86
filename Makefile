# JISP — `make demo` runs the platform with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JISP := $(BIN)/jisp

.PHONY: demo test test-fast bench lint typecheck check lock messages clean install install-dev serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## The platform on SQLite with demo data at http://127.0.0.1:8000 (web + worker; Ctrl-C stops it).
demo: install
	$(JISP) migrate --no-input
	$(JISP) collectstatic --no-input --verbosity 0
	$(JISP) demo
	$(JISP) serve --bind 127.0.0.1:8000

serve: install
	$(JISP) serve

## The whole test suite (set DATABASE_URL / REDIS_URL to run it on PostgreSQL / Redis).
test: install-dev
	$(BIN)/pytest

## Every test but the browser ones.
test-fast: install-dev
	$(BIN)/pytest -m "not browser"

bench: install-dev
	$(BIN)/python bench/run.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy jisp

check: lint typecheck test

## Recompute the hash-pinned lock files from pyproject.toml.
lock: install-dev
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -q -o requirements-dev.lock

## Merge the translation parts and compile the catalogues.
messages:
	cd jisp && ../$(BIN)/python ../$(BIN)/jisp makemessages --locale ja --no-obsolete --no-location --ignore 'tests/*' >/dev/null
	cd jisp && ../$(BIN)/jisp compilemessages --locale ja >/dev/null

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
