# The two commands of the README:
#   make demo   set up from nothing, load the sample world, show its gaps and
#               targets, then serve the API + workbench (Ctrl-C stops it)
#   make test   set up from nothing, run the whole test suite (lint + pytest)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench-import

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: setup
	$(BIN)/chainmatch demo
	$(BIN)/chainmatch gaps --region 深圳
	$(BIN)/chainmatch recommend --region 深圳 --limit 6
	$(BIN)/chainmatch serve

# The neo4j tests need a server: unless CHAINMATCH_NEO4J_URI already names one,
# a throwaway Neo4j 5.26 is built and started (scripts/neo4j-start.sh, needs
# Java 17+ and Maven) and stopped afterwards. Without Java they skip with the
# reason; CHAINMATCH_REQUIRE_NEO4J=1 (set by .ci/run) makes that an error.
# pytest runs on two workers (pytest-xdist, one a core); tests/conftest.py puts
# the Neo4j tests, the real-model tests and each module with shared fixtures
# in one group each, so what shares a server or state runs on one worker.
test: setup
	$(BIN)/ruff check .
	@set -eu; \
	if [ -n "$${CHAINMATCH_NEO4J_URI:-}" ]; then \
	    echo "make test: using the Neo4j server at $$CHAINMATCH_NEO4J_URI"; \
	elif command -v java >/dev/null 2>&1 && started="$$(scripts/neo4j-start.sh --fresh)"; then \
	    trap 'scripts/neo4j-stop.sh' EXIT; \
	    eval "$$started"; \
	    echo "make test: started a test Neo4j server at $$CHAINMATCH_NEO4J_URI"; \
	elif [ "$${CHAINMATCH_REQUIRE_NEO4J:-0}" = 1 ]; then \
	    echo "make test: CHAINMATCH_REQUIRE_NEO4J=1 but no Neo4j server could be started (is java on PATH?)" >&2; \
	    exit 1; \
	else \
	    echo "make test: no Neo4j server (no java on PATH, or it failed to start): the neo4j tests will skip" >&2; \
	fi; \
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench-import: setup
	$(BIN)/chainmatch bench import --firms 100000 --links 500000
