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
# "has been shipping samples since 2023", "has had a pilot line running since 2023": a milestone reached then.
_PERFECT = re.compile(r"\b(?:has|have|had)[ \t]+(?:been|had|run|operated|kept)\b", re.IGNORECASE)
# A year the text gives as the earlier plan: "than the 2030 date it had previously given", "from 2027"
# after "pushed back to 2028"; it keeps the stage of the sentence's current goal.
_EARLIER_BEFORE = re.compile(
    r"(?:previously|originally|initially|earlier|first)[ \t]+(?:\w+[ \t]+){0,4}(?:for|in|by)?[ \t]*$|"
    r"(?:than|from)[ \t]+(?:the[ \t]+|its[ \t]+|an?[ \t]+)?(?:previous[ \t]+|original[ \t]+|earlier[ \t]+|planned[ \t]+)?$",
    re.IGNORECASE,
)
_EARLIER_AFTER = re.compile(
    r"^[ \t]*+(?:date|target|goal|plan|timeline|schedule)?[ \t]*+(?:it|they|the[ \t]+\w+)?[ \t]*+"
    r"(?:had[ \t]+)?(?:previously|originally|initially|earlier)\b",
    re.IGNORECASE,
)
_SLIP = re.compile(r"\b(?:push\w*[ \t]+back|delay\w*|postpon\w*|brought[ \t]+forward|bring\w*[ \t]+forward|"
                   r"moved?[ \t]+(?:up|forward|back)|slipp?\w*|pull\w*[ \t]+forward)", re.IGNORECASE)


_CLAUSE_BREAK = re.compile(r"[,;:(]|[ \t]--?[ \t]")


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
    years = [r for r in ctx.years if _goal_year(ctx, r, stages)]
    if not years:
        return _milestone_without_year(ctx, stages)
    claims: list[Claim] = []
    done = _achieved_undated(ctx, stages, years)
    if done is not None and ctx.state.year is not None:  # (it needs the document's year)
        # "SK On opened a pilot plant ..., a step closer to commercializing in 2029": the pilot is reached now
        # (the document's year); the later year belongs to the goal after it
        stages = [s for s in stages if s is not done]
        claims.extend(_claims(ctx, YearRef(ctx.state.year, None, 0, 0), done, confidence_cut=0.15))
    used: set[int] = set()
    previous: _Stage | None = None
    for i, ref in enumerate(years):
        lo = years[i - 1].end if i else 0
        stage = _best([s for s in stages if lo <= s.start and s.end <= ref.start and s.start not in used], ref.start)
        if stage is None and i + 1 == len(years):
            after = [s for s in stages if ref.end <= s.start and s.start not in used]
            stage = _best(after, ref.end, after=True)
        if stage is None and previous is not None and claims and _earlier_plan(ctx, ref):
            claims.extend(_claims(ctx, ref, previous))  # "by 2029, a year earlier than the 2030 date it had given"
            continue
        if stage is None:
            continue
        used.add(stage.start)
        previous = stage
        claims.extend(_claims(ctx, ref, stage))
    return claims


def _earlier_plan(ctx: SentenceContext, ref: YearRef) -> bool:
    """Is this year the earlier plan the sentence says was superseded?"""
    if ref.prep == "from":  # "pushed back to 2028 from 2027"; a plain "from 2027" starts a goal
        return _SLIP.search(ctx.text) is not None
    before = ctx.text[max(0, ref.start - 50) : ref.start]
    if _EARLIER_AFTER.search(ctx.text[ref.end : ref.end + 40]):
        return True
    if not _EARLIER_BEFORE.search(before):
        return False
    return not before.rstrip().lower().endswith("from") or _SLIP.search(ctx.text) is not None


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


def _goal_year(ctx: SentenceContext, ref: YearRef, stages: list[_Stage]) -> bool:
    if ref.prep in ("since",):
        # "has been shipping samples since 2023": a milestone reached that year, when a stage lies between
        # the verb and the year; "has held a stake since 2021", "since 2019 the firm ..." are not
        perfect = [m for m in _PERFECT.finditer(ctx.text, max(0, ref.start - 90), ref.start)]
        return bool(perfect) and any(s.strength == 0 and perfect[-1].start() < s.start < ref.start for s in stages)
    if ref.start < 6 and ref.prep == "for" and ctx.text[ref.end : ref.end + 1] == ",":
        return False  # "For 2024, we expect ...": the period an outlook covers, not a goal
    return _NOT_GOAL_BEFORE.search(ctx.text, max(0, ref.start - 40), ref.start) is None


def _achieved_undated(ctx: SentenceContext, stages: list[_Stage], years: list[YearRef]) -> _Stage | None:
    """A strong stage right after a milestone verb ("has begun running a pilot line") whose every later year
    belongs to a later stage phrase: a milestone reached as the document reports it."""
    if ctx.state.year is None:
        return None
    for hit in ctx.find("milestone_cues"):
        for st in stages:
            if st.strength != 0 or not 0 <= st.start - hit.end() <= 30 or _CLAUSE_BREAK.search(ctx.text, hit.end(), st.start):
                continue
            for r in years:
                if r.start < st.start or not any(st.end <= o.start and o.end <= r.start for o in stages
                                                             if o is not st and _goal_stage(ctx, o)):
                    return None  # "In 2023, it opened ...", "opened a pilot line, named X, in March 2023": dated
            return st
    return None


def _goal_stage(ctx: SentenceContext, stage: _Stage) -> bool:
    """A stage phrase that can own a later year: a specific one, or a vague one right after a goal word
    ("its goal of commercializing", "plans to sell"); "at its plant in Osaka" is a place, not a goal."""
    return stage.strength < 2 or ctx.has("goal_cues", max(0, stage.start - 25), stage.start)


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
