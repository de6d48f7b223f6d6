"""A factory of claim records for the analysis tests (plain dataclasses, no store)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.domains.loader import load_domain
from ssbrace.kb.records import ClaimRecord

_ids = itertools.count(1)


def make(kind: str = "market_share", subject: str = "Acme", publisher: str = "Daily Volt",
         published: str | None = "2024-03-01", doc: int | None = None, **fields) -> ClaimRecord:
    """One claim record; every claim is its own document unless ``doc`` says otherwise."""
    cid = next(_ids)
    fields.setdefault("subject_type", "company")
    fields.setdefault("sentence", f"Test sentence {cid} about {subject}.")
    return ClaimRecord(id=cid, kind=kind, subject=subject, publisher=publisher,
                       published=date.fromisoformat(published) if published else None,
                       document_id=doc if doc is not None else 10_000 + cid,
                       url=f"https://news.example/{cid}", title=f"Story {cid}", **fields)


@pytest.fixture
def config() -> AnalysisConfig:
    pack = load_domain()  # the scoreboard's indicators and the stage order are the bundled pack's
    return AnalysisConfig(
        indicators=pack.indicators,
        stages=tuple(pack.analysis.stages),
        weights={"patents": 2.0, "patent_share": 1.0, "funding": 1.0, "investment": 1.0, "market_share": 1.0,
                 "target_companies": 1.0, "earliest_mass_production": 1.0, "best_energy_density": 1.0},
        technology_families={"all_solid_state": "solid", "sulfide": "solid", "semi_solid": "semi"},
        board={"market_share_segment": "automotive_batteries", "world_entity": "Globe",
               "energy_density_metric": "energy_density_wh_kg", "mass_production_stage": "mass_production"},
    )
