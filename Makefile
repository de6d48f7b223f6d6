# The two commands: `make demo` and `make test`. Each sets up what it needs by itself.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test venv browser lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	# A new venv's pip is old: upgrade it first, or trafilatura's lxml_html_clean is missed.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/ssbrace demo

test: venv browser
	$(BIN)/python -m pytest

# End-to-end dashboard tests drive Debian's Chromium through Playwright (never `playwright install`).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: could not install chromium; browser tests will be skipped"; \
	fi

lint: venv
	$(BIN)/ruff check ssbrace tests bench

bench: venv
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
