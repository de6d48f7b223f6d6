"""``patent_share``: a share of all patents ("over 35% of the world's filings", "more than half")."""

from __future__ import annotations

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance, percent_is_level
from ssbrace.models import Claim

NAME = "patent_share"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities")
SUBJECTS = {"company", "country", "region", "institution"}


def extract(ctx: SentenceContext) -> list[Claim]:
    topic = ctx.has("patent_context")
    follow_up = ctx.index - ctx.state.patent_topic <= 1 and not ctx.has("market_only_cues")
    if topic:
        ctx.state.patent_topic = ctx.index
    if not (topic or follow_up) or is_hedged(ctx):
        return []
    claims: list[Claim] = []
    for q in ctx.quantities:
        if q.kind != "percent" or not percent_is_level(ctx, q):
            continue
        if topic and not about_patents(ctx, q):
            continue
        subject = ctx.subject(q.start, SUBJECTS)
        if subject is None:
            continue
        ref = ctx.year_near(q.start, q.end)
        claims.append(ctx.claim(
            NAME, subject.mentions[0], subject.confidence, value=q.value, unit="%", bound=q.bound,
            technology=ctx.technology(), year=ref.year if ref else None,
            year_end=ref.year_end if ref else None,
        ))
    return claims


def about_patents(ctx: SentenceContext, q) -> bool:
    """Is the percentage nearer to a patent word than to a market word?"""
    patent = nearest_match_distance(ctx, "patent_context", q, window=120)
    if patent is None:
        return False
    market = nearest_match_distance(ctx, "market_only_cues", q, window=120)
    return market is None or patent <= market
