"""``market_share``: a share of a market ("holds 12% of the automotive battery market in 2023")."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.entities import Mention
from ssbrace.extract.kinds.common import (
    figure_year,
    is_hedged,
    nearest_match_distance,
    percent_is_level,
    respectively,
)
from ssbrace.extract.kinds.patent_share import about_patents
from ssbrace.extract.quantities import Quantity
from ssbrace.models import Claim

NAME = "market_share"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")
SUBJECTS = {"company", "country", "region"}


# Searched in the lower-cased sentence.
_TOPIC = re.compile(r"\b(?:market|share|shares|installations|installed|usage|shipments)\b")
_ROW_RANK = re.compile(r"^\s*+\|?\s*(\d{1,2})\s*[.)|\-]")


def note_topic(ctx: SentenceContext) -> None:
    """A sentence without figures that talks about a market opens a market-share passage."""
    if _TOPIC.search(ctx.lower):
        ctx.state.share_topic = ctx.index


def extract(ctx: SentenceContext) -> list[Claim]:
    on_topic = ctx.index - ctx.state.share_topic <= 2
    if _TOPIC.search(ctx.lower):
        ctx.state.share_topic = ctx.index
    table_row = ctx.table_row
    if table_row and on_topic:
        ctx.state.share_topic = ctx.index  # a table's rows keep its header's topic
    if not any(q.kind == "percent" for q in ctx.quantities):
        return []  # the topic is noted above; a share needs a percentage
    if ctx.index - ctx.state.patent_topic < ctx.index - ctx.state.share_topic and not ctx.has("market_only_cues"):
        return []  # a follow-up to a sentence about patents: "Japan holds 1,192, or about 12%"
    if not (ctx.has("market_share_cues") or (on_topic and (table_row or ctx.candidates(SUBJECTS)))) or is_hedged(ctx):
        return []
    figures = [q for q in ctx.quantities if q.kind == "percent" and percent_is_level(ctx, q)]
    figures = [q for q in figures if not (ctx.has("patent_context") and about_patents(ctx, q))]
    if not (table_row or on_topic):
        figures = [q for q in figures if nearest_match_distance(ctx, "market_share_cues", q, window=110) is not None]
    if not figures:
        return []
    paired = respectively(ctx, figures, SUBJECTS)
    segment = _segment(ctx)
    rank_hits = ctx.rank_hits
    claims: list[Claim] = []
    mention: Mention
    confidence: float
    for q in figures:
        if paired and id(q) in paired:
            mention, confidence = paired[id(q)], 0.75
        else:
            subject = ctx.subject(q.start, SUBJECTS)
            if subject is not None and _scope_after(ctx, q, subject.mentions[0]):
                continue  # "batteries accounted for 1.5% of China's installations": the market's place, not a holder
            if subject is not None and _names_market(ctx, subject.mentions[0]):
                # "BYD's share of China's power battery market": the country names the market, not the holder
                subject = ctx.subject(q.start, {"company"}) or subject
            if subject is None:
                continue
            mention, confidence = subject.mentions[0], subject.confidence
        ref = figure_year(ctx, q)
        rank = None
        if rank_hits and len(figures) == 1:
            rank = rank_hits[0].rank
        row = _ROW_RANK.match(ctx.text) if table_row else None
        if row:
            rank = int(row.group(1))
        claims.append(ctx.claim(
            NAME, mention, confidence, value=q.value, unit="%", bound=q.bound, segment=segment,
            year=ref.year if ref else None, year_end=ref.year_end if ref else None, rank=rank,
        ))
    if claims:
        ctx.state.share_topic = ctx.index  # a league table told in sentences keeps its topic from row to row
    return claims


def _segment(ctx: SentenceContext) -> str | None:
    """The market's segment, the most specific named in the sentence."""
    order = list(ctx.lexicon.vocab.segments.keys())
    labels = [ctx.lexicon.label("segments", hit.group()) for hit in ctx.find("segments")]
    labels = [lab for lab in labels if lab]
    if not labels:
        return None
    return min(labels, key=lambda lab: order.index(lab) if lab in order else 99)


_MARKET_AFTER = re.compile(r"^(?:[ \t]*+(?:'s|’s))?[ \t]+(?:[\w\-]+[ \t]+){0,3}?market\b", re.IGNORECASE)


def _names_market(ctx: SentenceContext, mention: Mention) -> bool:
    """A country in "China's EV battery market" / "the Chinese market" when a company is also named."""
    if mention.type not in ("country", "region"):
        return False
    if not _MARKET_AFTER.match(ctx.text, mention.end) and not _MARKET_AFTER.match(ctx.text[mention.end:]):
        return False
    return any(m.type == "company" for m in ctx.candidates({"company"}))


_OF_BEFORE = re.compile(r"\bof[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)


def _scope_after(ctx: SentenceContext, q: Quantity, mention: Mention) -> bool:
    """A place named after the figure as the owner of the market ("1.5% of China's installations")."""
    return (mention.start > q.end and mention.type in ("country", "region") and mention.possessive
            and _OF_BEFORE.search(ctx.text, max(0, mention.start - 10), mention.start) is not None)
