"""``patents``: a count of patents or filings held or filed ("1,331 solid-state battery patents")."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged
from ssbrace.models import Claim

NAME = "patents"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")
SUBJECTS = {"company", "country", "region", "institution"}

# A count of something else: "five years", "top 10", "six of the top ten".
_NOT_COUNT_AFTER = re.compile(
    r"^[ \t]*(?:years?|months?|weeks?|days?|decades?|companies|firms|countries|makers|applicants|of[ \t]+the|"
    r"times|people|staff|employees|engineers|researchers|projects|[A-Za-z]+[ \t]+(?:years|companies))(?![\w])",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"(?:with|of|at|to|totall?ing|total(?:led)?|reach(?:ed|ing)?|numbered|count(?:ed)?|tally|credit(?:s|ed|ing)?"
    r"[ \t]+\w+[ \t]+with|holds?|held|filed|files|owns?|has|had|passed|topped|exceeded|on|from|\()[ \t]*"
    r"(?:about|around|roughly|some|nearly|almost|over|more than|just over|at least|close to|an estimated)?[ \t]*$",
    re.IGNORECASE,
)
_MAX_GAP_WORDS = 6


_WORLD_NEAR = re.compile(r"\b(?:worldwide|globally|global|world(?:'s)?|in[ \t]+the[ \t]+world)\b", re.IGNORECASE)
_TOTAL_BEFORE = re.compile(r"(?:^|\b(?:out[ \t]+)?of[ \t]+(?:the[ \t]+|a[ \t]+total[ \t]+of[ \t]+)?)$", re.IGNORECASE)


def extract(ctx: SentenceContext) -> list[Claim]:
    topic = ctx.has("patent_context")
    follow_up = ctx.index - ctx.state.patent_topic <= 1
    if not (topic or follow_up) or is_hedged(ctx):
        return []
    nouns = ctx.lexicon.rx("patent_nouns")
    claims: list[Claim] = []
    counts = [q for q in ctx.quantities if q.kind == "count"]
    for q in counts:
        if q.value < 2 and q.bound == "eq":
            continue
        after = ctx.text[q.end : q.end + 80]
        if _NOT_COUNT_AFTER.match(after):
            continue
        noun = nouns.search(after)
        direct = noun is not None and _plain_gap(after[: noun.start()])
        lead = _LEAD_IN.search(ctx.text, max(0, q.start - 40), q.start) is not None
        if not direct and not lead:
            continue
        if q.value < 10 and q.bound == "eq" and not (noun is not None and len(after[: noun.start()].split()) <= 2):
            continue  # "three analysts who lead the patent race": a small count of something else
        subject = ctx.subject(q.start, SUBJECTS)
        world_near = _WORLD_NEAR.search(ctx.text, max(0, q.start - 30), min(len(ctx.text), q.end + 70))
        total = re.match(r"^\W*(?:of|out of)[ \t]+$", ctx.text[: q.start], re.IGNORECASE)
        if subject is None or total or (world_near and subject.position > q.start):
            world = ctx.extractor.world_mention()
            if world is None:
                continue
            subject_mention, confidence = world, 0.55
        else:
            subject_mention, confidence = subject.mentions[0], subject.confidence
        if not direct:
            confidence -= 0.15
        years = _window(ctx, q.end)
        claims.append(ctx.claim(
            NAME, subject_mention, confidence, value=q.value, unit="patents", bound=q.bound,
            technology=ctx.technology(), **years,
        ))
    return claims


def _plain_gap(gap: str) -> bool:
    """Only modifiers between the count and the noun ("solid-state battery"), no other figure or clause."""
    if re.search(r"[\d;:()]|,", gap):
        return False
    return len(gap.split()) <= _MAX_GAP_WORDS


def _window(ctx: SentenceContext, after: int) -> dict[str, int | None]:
    """The filing window: "from 2000 to 2023", "between 2000 and 2018", "in 2018", "since 2019"."""
    ranges = [r for r in ctx.years if r.year_end is not None]
    if ranges:
        r = ranges[0]
        return {"year": r.year, "year_end": r.year_end}
    singles = [r for r in ctx.years if r.prep not in ("by",)]
    if not singles:
        return {"year": None, "year_end": None}
    r = min(singles, key=lambda ref: abs(ref.start - after))
    if r.prep in ("as of", "through", "until", "till"):
        return {"year": None, "year_end": r.year}
    return {"year": r.year, "year_end": None}


def _world(ctx: SentenceContext):
    """The ``World`` region for global totals ("global filings passed 46,000")."""
    if not re.search(r"\b(?:global|globally|worldwide|world's|in the world|across the world|world)\b", ctx.text, re.I):
        return None
    return ctx.extractor.world_mention()
