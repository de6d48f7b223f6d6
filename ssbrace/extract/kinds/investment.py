"""``investment``: a company's own money for plants, R&D, stakes and acquisitions."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext, Subject
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance
from ssbrace.extract.kinds.money import dollar_fields, is_public, money_figures, money_year
from ssbrace.models import Claim

NAME = "investment"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")

# "B raised $X in a round led by A": the money is B's (the subject is before "raised").
_RAISED = re.compile(r"\b(?:raised|raises|raise|secured|closed|lands|landed|won)\b", re.IGNORECASE)

# "cost 43 billion yen to build", "will cost $2 billion to construct": the price of a facility being built.
_BUILD_COST = re.compile(r"\bcosts?\b[^.;]{0,60}?\bto[ \t]+(?:build|construct|set[ \t]+up|equip)\b", re.IGNORECASE)

# "led the startup's $200 million Series D round": a referring phrase owns the round.
_OWNER_REF = re.compile(r"\bthe[ \t]+[\w\-]+(?:'s|’s)[ \t]+$", re.IGNORECASE)
_ROUND_AFTER = re.compile(r"[^.;,]{0,40}?\b(?:round|financing|raise)\b", re.IGNORECASE)


def _round_raiser(ctx: SentenceContext, q):
    """The company a referring possessive before a funding round's amount points to, if any."""
    if not _OWNER_REF.search(ctx.text, max(0, q.start - 30), q.start) or not _ROUND_AFTER.match(ctx.text, q.end):
        return None
    resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, {"company"}, ctx.mentions)
    if not resolved or not q.start - 30 <= resolved[1] < q.start:
        return None
    named = {m.name for m in ctx.mentions}
    if resolved[0][0].name in named:
        return None
    return Subject(resolved[0][:1], 0.6, resolved[1])


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
        raiser = _round_raiser(ctx, q)
        if raiser is not None:
            subject = raiser  # "A, which led the startup's $200 million round": the money is the startup's
        if subject is None and _BUILD_COST.search(ctx.text):
            # "The facility cost 43 billion yen to build": the plant is the topic company's
            subject = ctx.subject(q.start, {"company"}, focus=True)
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
