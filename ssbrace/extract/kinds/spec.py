"""``spec``: a performance figure of a cell, battery or car (Wh/kg, Wh/L, km of range, charge minutes,
cycles, cost multiple)."""

from __future__ import annotations

import re
from dataclasses import replace

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance
from ssbrace.extract.quantities import Quantity
from ssbrace.models import Claim

NAME = "spec"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities")
SUBJECTS = {"company", "institution", "program"}  # a country or region makes no cell (real gold: 1 in 457)
_DISTANCE_NOT_RANGE = re.compile(r"^[ \t]*(?:away|north|south|east|west|outside|of[ \t]+(?:the[ \t]+)?(?:city|capital|road|track))\b", re.IGNORECASE)
_RELATIVE = re.compile(r"^[ \t]*(?:more|less|longer|shorter|further|extra|additional)\b", re.IGNORECASE)
_CONVERSION = re.compile(r"^[ \t]*[(\[][ \t]*(?:about|around|roughly|some|or|nearly)?[ \t]*$", re.IGNORECASE)


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx) or ctx.has("generic_cues"):
        return []  # a rumour, or a general statement about cells of a kind
    claims: list[Claim] = []
    previous: Quantity | None = None
    unit_of = ctx.lexicon.spec_units  # the vocabulary's ``units``: metric -> unit
    for q in ctx.quantities:
        if q.kind != "measure" or q.metric not in unit_of:
            continue
        if previous is not None and previous.metric == q.metric and _CONVERSION.match(ctx.text[previous.end : q.start]):
            continue  # "1,000 km (620 miles)": the conversion is the same figure
        if not _is_spec(ctx, q):
            if not _is_cycles(ctx, q):
                continue
            q = replace(q, metric="cycle_life")
        previous = q
        subject = ctx.subject(q.start, SUBJECTS, focus=True)
        if subject is None:
            continue
        if subject.confidence <= 0.6:  # no name before the figure: a pronoun or the document's focus
            if ctx.has("comparison_cues") and not ctx.candidates(SUBJECTS):
                continue  # "For comparison, today's best cells sit around 300 Wh/kg": a yardstick
            source = _source_after(ctx, q.end)
            if source is not None:
                subject = replace(subject, mentions=[source], confidence=0.6)
        ref = ctx.year_near(q.start, q.end)
        claims.append(ctx.claim(
            NAME, subject.mentions[0], subject.confidence, value=round(q.value, 1) if q.metric == "range_km" else q.value,
            unit=unit_of[q.metric], bound=q.bound, metric=q.metric, technology=ctx.technology(),
            year=ref.year if ref and ref.prep in ("by", "in") else None,
        ))
    return claims


_ACCORDING_TO = re.compile(r"\baccording[ \t]+to[ \t]+$", re.IGNORECASE)


def _source_after(ctx: SentenceContext, pos: int):
    """ "they reach 450 Wh/kg, according to Foo": the named source of a figure whose subject is a pronoun."""
    for m in ctx.candidates({"company"}):
        if m.start >= pos and _ACCORDING_TO.search(ctx.text, max(pos, m.start - 16), m.start):
            return m
    return None


def _is_spec(ctx: SentenceContext, q: Quantity) -> bool:
    after = ctx.text[q.end : q.end + 30]
    if _RELATIVE.match(after):
        return False
    if q.metric == "range_km":
        if _DISTANCE_NOT_RANGE.match(after):
            return False
        dist = nearest_match_distance(ctx, "range_cues", q, window=70)
        return dist is not None
    if q.metric == "charge_minutes":
        dist = nearest_match_distance(ctx, "charge_cues", q, window=60)
        return dist is not None
    if q.metric == "cost_multiple":
        dist = nearest_match_distance(ctx, "cost_cues", q, window=40)
        return dist is not None
    return True


def _is_cycles(ctx: SentenceContext, q: Quantity) -> bool:
    """ "a cycle life of 3,000 times", "recharged over 1,000 times": a count of cycles, not a cost multiple."""
    if q.metric != "cost_multiple" or q.value < 100:
        return False
    dist = nearest_match_distance(ctx, "cycle_cues", q, window=50)
    return dist is not None
