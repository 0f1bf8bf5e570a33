# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test deps venv lint typecheck unit integration bench clean

demo: deps venv  ## the whole loop against the bundled demo service
	$(BIN)/slocheck demo

test: deps venv lint typecheck  ## install everything the suite needs, then run it all
	$(BIN)/python -m pytest

deps:  ## real servers from Debian packages (prometheus, exporters, redis, postgresql, docker-compose)
	bash scripts/install-system-deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

lint: venv
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: venv
	$(BIN)/mypy src

unit: venv  ## the pure core (model, units, spec, evaluate) in seconds; any layer: pytest tests/<layer>
	$(BIN)/python -m pytest tests/core

bench: venv  ## performance goals, written to BENCHMARKS.md (not part of `make test`)
	bash scripts/install-system-deps.sh nginx
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build *.egg-info
