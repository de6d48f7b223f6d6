"""``investment``: a company's own money for plants, R&D, stakes and acquisitions."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance
from ssbrace.extract.kinds.money import dollar_fields, is_public, money_figures, money_year
from ssbrace.models import Claim

NAME = "investment"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")

# "B raised $X in a round led by A": the money is B's (the subject is before "raised").
_RAISED = re.compile(r"\b(?:raised|raises|raise|secured|closed|lands|landed|won)\b", re.IGNORECASE)


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx):
        return []
    claims: list[Claim] = []
    for q in money_figures(ctx):
        if is_public(ctx, q):
            continue
        dist = nearest_match_distance(ctx, "investment_cues", q, window=120)
        if dist is None:
            continue
        subject = ctx.subject(q.start, {"company"})
        if subject is None:
            continue
        years = money_year(ctx, q)
        fields = dollar_fields(ctx, q, years["year"])
        confidence = subject.confidence - (0.1 if dist > 60 else 0)
        claims.append(ctx.claim(
            NAME, subject.mentions[0], confidence, bound=q.bound, technology=ctx.technology(),
            **years, **fields,
        ))
    return claims
