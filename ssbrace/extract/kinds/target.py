"""``target``: a dated goal or milestone: prototype, pilot, samples, commercialization, mass production,
a car on sale ("Acme aims to mass-produce all-solid-state cells by 2029").

A year is a target only when the sentence states a goal or a milestone and names a stage; each year takes
the strongest stage phrase in its stretch of the sentence, so "samples in 2027, mass production in 2030"
gives two targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged
from ssbrace.extract.quantities import YearRef
from ssbrace.models import Claim

NAME = "target"
NEEDS = ("entities", "years")
SUBJECTS = {"company", "country", "region", "program", "institution"}
# Years that date something other than a goal: founding, an announcement, a report, an event.
_NOT_GOAL_BEFORE = re.compile(
    r"(?:founded|established|set[ \t]up|formed|incorporated|announced|said|says|reported|disclosed|stated|"
    r"told|unveiled[ \t]+(?:its[ \t]+)?plans?|results?|earnings|since|as[ \t]+of|CES|show|expo|summit|"
    r"conference|fair|report|study|survey)[ \t]+(?:on[ \t]+|in[ \t]+|at[ \t]+|of[ \t]+)?(?:\w+[ \t]+)?$",
    re.IGNORECASE,
)
_VEHICLE_MAKERS = {"automaker"}


@dataclass
class _Stage:
    start: int
    end: int
    label: str
    strength: int  # 0 strong, 1 vehicle, 2 vague


def extract(ctx: SentenceContext) -> list[Claim]:
    if not ctx.years and not ctx.has("milestone_cues"):
        return []
    if is_hedged(ctx) or not ctx.has("goal_cues") or ctx.extractor.is_boilerplate(ctx.text):
        return []
    stages = _stages(ctx)
    if not stages:
        return []
    years = [r for r in ctx.years if _goal_year(ctx, r)]
    if not years:
        return _milestone_without_year(ctx, stages)
    claims: list[Claim] = []
    used: set[int] = set()
    for i, ref in enumerate(years):
        lo = years[i - 1].end if i else 0
        stage = _best([s for s in stages if lo <= s.start and s.end <= ref.start and s.start not in used], ref.start)
        if stage is None and i + 1 == len(years):
            after = [s for s in stages if ref.end <= s.start and s.start not in used]
            stage = _best(after, ref.end, after=True)
        if stage is None:
            continue
        used.add(stage.start)
        claims.extend(_claims(ctx, ref, stage))
    return claims


def _stages(ctx: SentenceContext) -> list[_Stage]:
    out: list[_Stage] = []
    for strength, table in enumerate(("stages", "stages_vehicle", "stages_weak")):
        for hit in ctx.find(table):
            if any(s.start <= hit.start() < s.end or hit.start() <= s.start < hit.end() for s in out):
                continue
            label = ctx.lexicon.label(table, hit.group())
            if label:
                out.append(_Stage(hit.start(), hit.end(), label, strength))
    # A vague stage ("production", "launch") cannot stand beside other figures: "production capacity
    # of 100 GWh by 2030", "$13.6 billion for production through 2030" are not stage targets.
    if any(q.kind in ("money", "percent", "measure") for q in ctx.quantities):
        out = [s for s in out if s.strength == 0]
    return sorted(out, key=lambda s: s.start)


def _best(cands: list[_Stage], anchor: int, after: bool = False) -> _Stage | None:
    if not cands:
        return None
    return min(cands, key=lambda s: (s.strength, abs((s.start - anchor) if after else (anchor - s.end))))


def _goal_year(ctx: SentenceContext, ref: YearRef) -> bool:
    if ref.prep in ("since",):
        return False
    return _NOT_GOAL_BEFORE.search(ctx.text, max(0, ref.start - 40), ref.start) is None


def _milestone_without_year(ctx: SentenceContext, stages: list[_Stage]) -> list[Claim]:
    """"SK On has opened a pilot plant": an achieved milestone dated by the document."""
    if ctx.state.year is None or not ctx.has("milestone_cues"):
        return []
    strong = [s for s in stages if s.strength == 0]
    if not strong:
        return []
    ref = YearRef(ctx.state.year, None, 0, 0)
    return _claims(ctx, ref, strong[0], confidence_cut=0.2)


def _claims(ctx: SentenceContext, ref: YearRef, stage: _Stage, confidence_cut: float = 0.0) -> list[Claim]:
    subject = ctx.subject(stage.start, SUBJECTS, expand=True, focus=True)
    if subject is None:
        return []
    label = stage.label
    out = []
    for mention in subject.mentions:
        if mention.type == "institution" and mention.category == "government" and mention.country:
            entry = ctx.extractor.entities.lookup(mention.country)
            if entry is not None:
                mention = replace(mention, name=entry.name, type=entry.type)
        if stage.strength == 2 and stage.label == "commercialization" and mention.category in _VEHICLE_MAKERS:
            label = "vehicle_launch"
        confidence = subject.confidence - 0.1 * stage.strength - confidence_cut
        out.append(ctx.claim(
            NAME, mention, confidence, value=ref.year, unit="year", bound=ref.bound, year=ref.year,
            year_end=ref.year_end, stage=label, technology=ctx.technology(),
        ))
    return out
