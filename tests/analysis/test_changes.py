"""Part 9: changes since a date: new facts, moved targets, new conflicts, each with a summary line."""

from __future__ import annotations

from datetime import date

from ssbrace.analysis.changes import changes_since
from tests.analysis.conftest import make


def test_changes_since_a_date(config):
    claims = [
        make("market_share", "Acme", value=30, unit="%", year=2022, segment="automotive_batteries",
             published="2023-02-01", publisher="Cell Weekly"),
        make("market_share", "Acme", value=25, unit="%", year=2022, segment="automotive_batteries",
             published="2024-02-01", publisher="Anode Times"),
        make("capacity", "Acme", value=8, unit="GWh/yr", year=2026, published="2024-03-01"),
        make("capacity", "Acme", value=2, unit="GWh/yr", year=2023, published="2022-03-01"),
        make("target", "Acme", stage="pilot", value=2025, unit="year", year=2025, published="2022-01-01"),
        make("target", "Acme", stage="pilot", value=2027, unit="year", year=2027, published="2024-05-01"),
    ]
    changes = changes_since(claims, date(2024, 1, 1), config)
    assert [n.fact.key.kind for n in changes.new_facts] == ["capacity"]
    assert "8 GWh/yr" in changes.new_facts[0].summary
    assert [m.summary for m in changes.moved_targets] == [
        "Acme pilot target slipped from 2025 to 2027 (Daily Volt, 2024-05-01)"]
    assert len(changes.new_conflicts) == 1 and "Anode Times" in changes.new_conflicts[0].summary
    later = changes_since(claims, date(2024, 6, 1), config)
    assert later.empty
    assert all(isinstance(x.summary, str) for x in changes.new_facts + changes.moved_targets + changes.new_conflicts)
