# The two ways in: `make demo` and `make test`. Both build .venv from scratch when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (markwatch needs Python 3.11 or 3.12)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m markwatch.demo

# Starts throwaway PostgreSQL and Redis on 127.0.0.1 when they are installed, so their tests run too.
test: $(STAMP)
	@services="$$(scripts/test-services.sh start)" || { echo "warning: local PostgreSQL/Redis did not start; their tests are skipped" >&2; services=; }; \
	eval "$$services"; $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .markwatch-demo
