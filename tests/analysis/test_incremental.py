"""An analysis updated for a change equals a fresh analysis of the changed claims."""

from __future__ import annotations

import dataclasses
import random

import pytest

from ssbrace.analysis.bundle import Knowledge
from ssbrace.analysis.config import AnalysisConfig
from ssbrace.domains.loader import load_domain
from ssbrace.kb.records import ClaimRecord
from tests.analysis.conftest import make

COMPANIES = ["Acme", "Borealis Cells", "Cobalt Works", "Dynamo Power"]
COUNTRIES = ["Japan", "Korea", "China"]
STAGES = ["pilot", "mass_production", "sample"]


def _claim(rng: random.Random) -> ClaimRecord:
    """A claim of a random kind about a random entity, with figures close enough to collide often."""
    doc = rng.randint(1, 12)  # few documents, so same-source rules come into play
    published = f"20{rng.randint(22, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    company = rng.choice(COMPANIES)
    kind = rng.choice(["target", "target", "market_share", "spec", "standing", "patents", "funding", "investment",
                       "partnership", "patent_share"])
    year = rng.randint(2022, 2025)
    if kind == "target":
        when = rng.randint(2026, 2031)
        return make("target", company, published=published, doc=doc, stage=rng.choice(STAGES), year=when,
                    value=when, unit="year", subject_country=rng.choice(COUNTRIES))
    if kind == "market_share":
        who = rng.choice(COMPANIES + COUNTRIES)
        return make("market_share", who, published=published, doc=doc, value=rng.choice([20.0, 21.0, 35.0, 60.0]),
                    unit="%", year=year, segment=rng.choice(["automotive_batteries", "lithium_ion"]),
                    subject_type="country" if who in COUNTRIES else "company", rank=rng.choice([None, 1, 2]))
    if kind == "spec":
        return make("spec", company, published=published, doc=doc, value=rng.choice([400.0, 410.0, 500.0]),
                    unit="Wh/kg", metric="energy_density_wh_kg", year=year, technology="sulfide",
                    subject_country=rng.choice(COUNTRIES))
    if kind == "standing":
        a, b = rng.sample(COUNTRIES, 2)
        return make("standing", a, published=published, doc=doc, subject_type="country", object=b,
                    relation=rng.choice(["leads", "trails", "overtakes"]), aspect=rng.choice(["patents", "cells"]),
                    year=year, rank=rng.choice([None, 1]))
    if kind in {"patents", "patent_share"}:
        who = rng.choice(COUNTRIES)
        unit = "patents" if kind == "patents" else "%"
        return make(kind, who, published=published, doc=doc, subject_type="country", unit=unit,
                    value=rng.choice([1000.0, 1020.0, 3000.0]) if kind == "patents" else rng.choice([30.0, 45.0]),
                    year=2010, year_end=2022, technology="sulfide")
    if kind in {"funding", "investment"}:
        usd = rng.choice([1e8, 1.05e8, 5e8])
        who = rng.choice(COUNTRIES) if kind == "funding" else company
        return make(kind, who, published=published, doc=doc, amount=usd, currency="USD", value_usd=usd, value=usd,
                    unit="USD", year=year, subject_type="country" if kind == "funding" else "company",
                    program="Programme A" if kind == "funding" else None, subject_country=rng.choice(COUNTRIES))
    return make("partnership", company, published=published, doc=doc, object=rng.choice(COMPANIES),
                subject_country=rng.choice(COUNTRIES))


def _computed(k: Knowledge) -> Knowledge:
    """Every part computed, as the web's snapshot holds them."""
    _ = k.facts, k.conflicts, k.ledgers, k.findings, k.moves
    return k


def _assert_same(updated: Knowledge, fresh: Knowledge) -> None:
    assert [r.id for r in updated.records] == [r.id for r in fresh.records]
    assert updated.facts == fresh.facts
    assert updated.conflicts == fresh.conflicts
    assert updated.ledgers == fresh.ledgers
    assert updated.findings == fresh.findings
    assert updated.moves == fresh.moves
    for by in ("country", "company"):
        assert updated.board(by) == fresh.board(by)


@pytest.mark.parametrize("seed", range(12))
def test_update_equals_fresh_analysis(seed: int, config: AnalysisConfig) -> None:
    rng = random.Random(seed)
    pack = load_domain()
    records = sorted((_claim(rng) for _ in range(160)), key=lambda r: r.id)
    k = _computed(Knowledge(records, pack, config))
    assert k.conflicts and k.ledgers  # the generator makes disputes and histories to update
    for _ in range(6):
        current = list(k.records)
        # New claims (some about one entity only), a retraction, and a claim linked anew (same id, new subject).
        added = [_claim(rng) for _ in range(rng.randint(1, 6))]
        removed = {rng.choice(current).id for _ in range(rng.randint(0, 3))}
        relinked = [dataclasses.replace(r, subject=rng.choice(COMPANIES)) for r in rng.sample(current, 2)
                    if r.id not in removed and r.subject_type == "company"]
        k = _computed(k.updated(added + relinked, removed))
        by_id = {r.id: r for r in current if r.id not in removed}
        by_id.update({r.id: r for r in added + relinked})
        fresh = Knowledge(sorted(by_id.values(), key=lambda r: r.id), pack, config)
        _assert_same(k, fresh)


def test_a_change_to_one_entity_keeps_the_others_parts(config: AnalysisConfig) -> None:
    rng = random.Random(99)
    records = sorted((_claim(rng) for _ in range(120)), key=lambda r: r.id)
    k = _computed(Knowledge(records, load_domain(), config))
    new = make("target", "Acme", published="2025-06-01", stage="pilot", year=2030, value=2030, unit="year")
    after = k.updated([new], ())
    # Untouched entities' facts and ledgers are the very objects of the old analysis (not recomputed).
    old_facts = {id(f) for f in k.facts}
    assert all(id(f) in old_facts for f in after.facts if f.key.entity != "Acme")
    assert any(led.entity == "Acme" and led.entries[-1].claim.id == new.id for led in after.ledgers)
    old_ledgers = {id(led) for led in k.ledgers}
    assert all(id(led) in old_ledgers for led in after.ledgers if led.entity != "Acme")


def test_an_analysis_not_yet_computed_stays_lazy(config: AnalysisConfig) -> None:
    records = [make("target", "Acme", stage="pilot", year=2028, value=2028, unit="year")]
    k = Knowledge(records, load_domain(), config)
    after = k.updated([make("target", "Acme", stage="pilot", year=2030, value=2030, unit="year")], ())
    assert "facts" not in after.__dict__ and "ledgers" not in after.__dict__
    assert [e.move for e in after.ledgers[0].entries] == ["first", "slip"]
