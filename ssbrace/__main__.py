"""``python -m ssbrace``: the same as the ``ssbrace`` command."""

from ssbrace.cli.main import run

run()
