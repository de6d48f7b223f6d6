"""Imports point downstream only: storage knows no later stage, and the pure stages never touch the store."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ssbrace"
# The stages that come after storage, or drive it: kb must not import them.
AFTER_STORAGE = ("ssbrace.extract", "ssbrace.entities", "ssbrace.stories", "ssbrace.analysis", "ssbrace.web",
                 "ssbrace.documents", "ssbrace.delivery", "ssbrace.sources", "ssbrace.pipeline", "ssbrace.cli",
                 "ssbrace.api", "ssbrace.patents")
# Record types kb may share with a stage (plain dataclasses, no behaviour).
SHARED_RECORDS = ("ssbrace.patents.records",)
# Stages that take records and return results: storage stays at the edges (ssbrace.pipeline, the CLI, the web).
PURE_PACKAGES = ("stories", "analysis", "delivery")
PURE_STAGES = sorted(
    [str(p.relative_to(PACKAGE)) for package in PURE_PACKAGES for p in (PACKAGE / package).rglob("*.py")]
    + ["documents/dedup.py"]
)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, at any depth (lazy imports count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("path", sorted((PACKAGE / "kb").rglob("*.py")), ids=lambda p: p.name)
def test_storage_imports_no_later_stage_and_does_no_hashing(path):
    modules = [module for module, _ in _imports(path)]
    later = [m for m in modules if _within(m, AFTER_STORAGE) and not _within(m, SHARED_RECORDS)]
    assert not later, f"{path.name} imports a later stage: {later}"
    # Texts are normalised and hashed once, by documents.dedup, before they reach the store.
    assert "hashlib" not in modules, f"{path.name} hashes: that is documents.dedup's job"


@pytest.mark.parametrize("name", PURE_STAGES)
def test_pure_stages_take_records_not_sessions(name):
    for module, names in _imports(PACKAGE / name):
        assert not _within(module, ("sqlalchemy",)), f"{name} imports {module}"
        assert not _within(module, ("ssbrace.pipeline", "ssbrace.web", "ssbrace.cli")), f"{name} imports {module}"
        if _within(module, ("ssbrace.kb",)):
            # only record types (dataclasses: ClaimRecord, EntityRow, StoryFields), never a query or a session
            found = importlib.import_module(module)
            records = [n for n in names if dataclasses.is_dataclass(getattr(found, n, None))]
            assert names and records == names, f"{name} imports {module}: {sorted(set(names) - set(records))}"


def test_the_pure_stages_are_all_checked():
    assert {"stories/brief.py", "stories/topics.py", "delivery/digest.py", "delivery/atom.py",
            "documents/dedup.py"} <= set(PURE_STAGES)
