"""``capacity``: what a plant or line can make a year ("25 GWh a year", "1,000 tonnes of Li2S a year")."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance
from ssbrace.models import Claim

NAME = "capacity"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")
SUBJECTS = {"company", "country", "region"}
_DIFFERENCE = re.compile(r"\bby[ \t]+(?:just[ \t]+|only[ \t]+|some[ \t]+|about[ \t]+|around[ \t]+)?$", re.IGNORECASE)
_KWH = re.compile(r"^[ \t]*(?:-|–)?[ \t]*(?:battery[ \t]+)?packs?\b", re.IGNORECASE)


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx):
        return []
    claims: list[Claim] = []
    units = ctx.lexicon.capacity_units  # the vocabulary's ``capacity_units``, scaled to their claim units
    for q in ctx.quantities:
        if q.kind != "measure" or q.metric != "capacity" or q.unit not in units:
            continue
        if _DIFFERENCE.search(ctx.text, max(0, q.start - 20), q.start):
            continue  # "trailing the leader by just 0.8 GWh": a gap, not a capacity
        not_dist = nearest_match_distance(ctx, "capacity_not", q, window=40)
        if not_dist is not None and not_dist < 25:
            continue
        if q.unit == "GWh/yr" and _volume_passage(ctx, q):
            continue
        cue = nearest_match_distance(ctx, "capacity_cues", q, window=100)
        if cue is None and q.unit != "GWh/yr":
            continue
        cue = cue if cue is not None else 0
        if q.unit != "GWh/yr" and cue > 60:
            continue
        if q.unit == "cells/yr" and not re.search(r"\b(?:a|per)[ \t]+year|annual", ctx.text[q.end : q.end + 40], re.I):
            continue
        subject = ctx.subject(q.start, {"company"}, focus=True) or ctx.subject(q.start, SUBJECTS)
        if subject is None:
            continue
        ref = ctx.year_near(q.start, q.end)
        claims.append(ctx.claim(
            NAME, subject.mentions[0], subject.confidence, value=q.value, unit=q.unit, bound=q.bound,
            technology=ctx.technology(), year=ref.year if ref else None,
        ))
    return claims


_RATE = re.compile(r"\b(?:a|per|each)[ \t]+year\b|\bannual(?:ly)?\b|\byearly\b|\bper[ \t]+annum\b|/y(?:ea)?r\b",
                   re.IGNORECASE)
_PLANT = re.compile(r"\b(?:plant|factory|facility|gigafactory|line|lines|site|capable|phase|sized|(?<!installed )(?<!installation )capacity)\b",
                    re.IGNORECASE)


def _volume_passage(ctx: SentenceContext, q) -> bool:
    """A bare GWh figure ("LG Chem - 3.8 GWh", "installed capacity rose to 107 GWh") is an amount of energy
    made, sold or installed: a capacity needs a plant, a line or a yearly rate named beside it."""
    near = ctx.text[max(0, q.start - 80) : q.end + 60]
    return not (_RATE.search(near) or _PLANT.search(near))
