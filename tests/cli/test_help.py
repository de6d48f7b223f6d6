"""Help reads as a person expects: value words, no Python types, flags without a value (issue 14)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from ssbrace.cli.main import _register, app

_register()
COMMANDS = [["ingest"], ["board"], ["report"], ["sources", "add"], ["digest"], ["changes"], ["extract"],
            ["patents", "count"]]


def test_help_shows_value_words_and_no_python_types():
    runner = CliRunner()
    for command in COMMANDS:
        res = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
        assert res.exit_code == 0, command
        assert not re.search(r"<(bool|str|int|float|list\[[^\]]*\]|path)>", res.output), (command, res.output)
        flag = re.search(r"--help +(\S+)", res.output)
        assert flag and flag.group(1) == "Show", command  # a flag shows no value word
    ingest = runner.invoke(app, ["ingest", "--help"], env={"COLUMNS": "120"}).output
    assert re.search(r"inputs\.\.\. +TEXT\.\.\.", ingest) and re.search(r"--max-bytes +INTEGER", ingest)
