# The two commands of the README:
#   make demo   set up from nothing, load the sample world, show what it holds
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

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench-import: setup
	$(BIN)/chainmatch bench import --firms 100000 --links 500000
