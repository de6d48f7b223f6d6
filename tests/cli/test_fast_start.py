"""`ssbrace --help`, `--version` and every command's help start without the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import ssbrace

# What a command loads when it runs, never to show help: each costs tenths of a second at start.
# (pydantic is not listed: typer itself coerces some parameter types through it.)
HEAVY = ("sklearn", "numpy", "scipy", "sqlalchemy", "alembic", "trafilatura", "fastapi", "uvicorn",
         "pandas", "jinja2", "httpx", "feedparser", "datasketch", "rapidfuzz", "yaml", "lxml")

# Runs in a fresh interpreter: every help page of the real command line, then the modules it loaded.
_PROBE = """
import json, sys
import typer
from ssbrace.cli.main import _register, app

_register()
root = typer.main.get_command(app)
pages = [[]] + [[name] for name in root.commands] + [
    [name, sub] for name, group in root.commands.items() for sub in getattr(group, "commands", {})]
for words in pages:
    try:
        app([*words, "--help"], prog_name="ssbrace")
    except SystemExit as done:
        assert done.code == 0, (words, done.code)
sys.stderr.write(json.dumps({"pages": len(pages), "modules": sorted(sys.modules)}))
"""


def _loaded_top_level(modules: list[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_every_help_page_loads_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stderr)
    assert report["pages"] > 30  # the root, every command and every subcommand
    assert "Usage: ssbrace" in done.stdout
    loaded = _loaded_top_level(report["modules"]) & set(HEAVY)
    assert not loaded, f"help pages loaded {sorted(loaded)}"


def test_version_and_python_m_entry():
    done = subprocess.run([sys.executable, "-m", "ssbrace", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ssbrace {ssbrace.__version__}\n"
