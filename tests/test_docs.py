"""Docs are tested: every command is in the README's table, every claim kind in docs/extract.md."""

from pathlib import Path

import typer

from ssbrace.cli.main import _register, app
from ssbrace.models import CLAIM_KINDS

ROOT = Path(__file__).resolve().parents[1]


def _command_names() -> set[str]:
    _register()
    root = typer.main.get_command(app)
    names = set()
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        names.add(name)
        for sub in getattr(command, "commands", {}):
            names.add(f"{name} {sub}")
    return names


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for name in sorted(_command_names()):
        group, _, sub = name.partition(" ")
        # "ssbrace sources add|list" documents both subcommands of a group
        if f"ssbrace {name}" in readme or (sub and f"ssbrace {group} " in readme and sub in readme):
            continue
        missing.append(name)
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_claim_kind_is_documented():
    doc = (ROOT / "docs" / "extract.md").read_text(encoding="utf-8")
    assert [k for k in CLAIM_KINDS if f"`{k}`" not in doc] == []


def test_docs_links_in_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in readme.splitlines():
        if "](docs/" in line:
            target = line.split("](", 1)[1].split(")", 1)[0]
            assert (ROOT / target).is_file(), target
