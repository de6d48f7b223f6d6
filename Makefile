# The two commands: `make demo` and `make test`. Each sets up what it needs by itself.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test venv lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	# A new venv's pip is old: upgrade it first, or trafilatura's lxml_html_clean is missed.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/ssbrace demo

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check ssbrace tests bench

bench: venv
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
