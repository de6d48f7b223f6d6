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


def test_a_flag_given_a_value_is_read_as_people_mean_it():
    from ssbrace.cli.main import flag_values

    assert flag_values(["board", "--json", "true"]) == ["board", "--json"]
    assert flag_values(["board", "--json", "false"]) == ["board"]
    assert flag_values(["conflicts", "--scope", "no"]) == ["conflicts", "--no-scope"]
    # a value-taking option keeps its value; other words are left alone
    assert flag_values(["board", "--by", "company", "--weight", "x=1"]) == ["board", "--by", "company", "--weight", "x=1"]
    assert flag_values(["extract", "true"]) == ["extract", "true"]
