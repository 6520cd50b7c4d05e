# Casetrail: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every check.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test check lint typecheck layers pytest env static system-deps-run system-deps-test clean

run: system-deps-run env
	$(BIN)/casetrail init
	$(BIN)/casetrail demo
	$(BIN)/casetrail serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: system-deps-test env check pytest

check: lint typecheck layers

lint: env
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: env
	$(BIN)/mypy

layers: env
	$(BIN)/lint-imports

pytest: env
	$(BIN)/pytest

env: $(BIN)/casetrail static

# Front-end packages pinned in package-lock.json, copied where the web UI serves them.
static:
	npm ci --no-audit --no-fund
	mkdir -p src/casetrail/web/static/vendor
	cp node_modules/cytoscape/dist/cytoscape.min.js src/casetrail/web/static/vendor/

$(BIN)/casetrail: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv==$(UV_VERSION)

system-deps-run:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
