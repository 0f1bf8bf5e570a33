# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test deps venv lint typecheck unit integration bench clean

demo: deps venv  ## the whole loop against the bundled demo service
	$(BIN)/slocheck demo

test: deps venv lint typecheck  ## install everything the suite needs, then run it all (shards in parallel)
	$(BIN)/python scripts/run-suite.py

deps:  ## real servers from Debian packages (prometheus, exporters, redis, postgresql, docker-compose)
	bash scripts/install-system-deps.sh

venv: $(STAMP)

# Both packages: the gate with its test tools and the trace extra, and the demo (demo/: `slocheck demo`,
# `slocheck demo-service`, the service the tests run against).
$(STAMP): pyproject.toml demo/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,trace]" -e ./demo
	touch $(STAMP)

lint: venv
	$(BIN)/ruff check src demo/src tests scripts
	$(BIN)/ruff format --check src demo/src tests scripts
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy src demo/src

unit: venv  ## the pure core (model, units, spec, evaluate) in seconds; any layer: pytest tests/<layer>
	$(BIN)/python -m pytest tests/core

bench: venv  ## performance goals, written to BENCHMARKS.md (not part of `make test`)
	bash scripts/install-system-deps.sh nginx
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build demo/build *.egg-info src/*.egg-info demo/src/*.egg-info
