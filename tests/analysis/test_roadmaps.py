"""Part 4: the target ledger, slips, pull-ins, the current target and how far it moved."""

from __future__ import annotations

from ssbrace.analysis.roadmaps import build_ledgers, moves
from ssbrace.domains.loader import load_domain
from tests.analysis.conftest import make


def _target(year, published, stage="mass_production", subject="Acme", doc=None, **kw):
    return make("target", subject, published=published, doc=doc, stage=stage, value=year, unit="year", year=year, **kw)


def test_slip_and_pull_in_in_report_order():
    claims = [_target(2027, "2023-05-01", publisher="Cell Weekly"),
              _target(2029, "2024-06-01", publisher="Anode Times"),
              _target(2028, "2025-01-10", publisher="Grid Post"),
              _target(2025, "2022-01-01", publisher="Old News")]
    [ledger] = build_ledgers(claims)
    assert [e.target for e in ledger.entries] == ["2025", "2027", "2029", "2028"]
    assert [e.move for e in ledger.entries] == ["first", "slip", "slip", "pull_in"]
    assert ledger.current.target == "2028"
    assert ledger.moved == 3.0
    assert (ledger.slips, ledger.pull_ins) == (2, 1)
    summaries = [m.summary for m in moves([ledger])]
    assert summaries[0].startswith("Acme mass production target slipped from 2025 to 2027")
    assert "pulled in from 2029 to 2028" in summaries[-1]


def test_ranges_compare_on_their_middle_and_nesting_is_a_restatement():
    claims = [_target(2027, "2023-06-12"), _target(2027, "2023-06-13", year_end=2028),
              _target(2030, "2025-09-16")]
    [ledger] = build_ledgers(claims)
    assert [e.move for e in ledger.entries] == ["first", "restated", "slip"]
    assert ledger.entries[1].target == "2027-2028"


def test_a_past_date_reported_later_recalls_an_old_plan():
    claims = [_target(2025, "2020-07-17", stage="vehicle_launch"),
              _target(2020, "2023-06-13", stage="vehicle_launch", year_end=2023, bound="approx"),
              _target(2028, "2025-10-08", stage="vehicle_launch")]
    [ledger] = build_ledgers(claims)
    assert [e.move for e in ledger.entries] == ["first", "recalled", "slip"]
    assert ledger.entries[1].target == "around 2020-2023"
    assert moves([ledger])[0].previous == "2025"  # the recollection did not become the target in force


def test_two_targets_in_one_article_are_two_plans():
    claims = [_target(2027, "2025-03-01", doc=5), _target(2030, "2025-03-01", doc=5), _target(2030, "2025-09-16")]
    [ledger] = build_ledgers(claims)
    assert [e.move for e in ledger.entries] == ["first", "same_source", "unchanged"]
    assert ledger.current.target == "2030" and not moves([ledger])


def test_ledgers_per_company_and_stage_and_filter():
    claims = [_target(2027, "2023-01-01"), _target(2025, "2023-01-01", stage="pilot"),
              _target(2026, "2023-01-01", subject="Borealis")]
    stages = load_domain().analysis.stages  # the order of stages is the pack's
    assert [(led.entity, led.stage) for led in build_ledgers(claims, stages=stages)] == [
        ("Acme", "pilot"), ("Acme", "mass_production"), ("Borealis", "mass_production")]
    assert [led.entity for led in build_ledgers(claims, entity="borealis")] == ["Borealis"]
