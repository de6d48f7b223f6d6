"""Money shared by ``funding`` and ``investment``: which amounts are claims, whose, and in dollars."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.entities import Mention
from ssbrace.extract.kinds.common import nearest_match_distance
from ssbrace.extract.quantities import Quantity

_MONEY_NOUN = re.compile(r"[ \t]+(?:state[ \t]+)?(?:grant|grants|subsid\w*|aid|funding|support|government|state|ministry)",
                         re.IGNORECASE)
_PROGRAM_NAME = re.compile(
    r"(?:the[ \t]+)?(?P<name>(?:[\"“][^\"”]{3,60}[\"”])|(?:[A-Z][\w\-&]{0,40}[ \t]+){0,5}"
    r"(?:Program|Programme|Fund|Initiative|Project|Strategy|Scheme|Plan|Partnership|Mission|Challenge))(?![\w])"
)


def money_figures(ctx: SentenceContext) -> list[Quantity]:
    """Money amounts in the sentence that are not revenue, prices, valuations or market sizes."""
    out = []
    for q in ctx.quantities:
        if q.kind != "money":
            continue
        dist = nearest_match_distance(ctx, "money_not_claim", q, window=45)
        if dist is not None and dist < 30:
            continue
        out.append(q)
    return out


def is_public(ctx: SentenceContext, q: Quantity) -> bool:
    """Is this public money: a government, ministry, agency, programme, subsidy or grant pays it?"""
    dist = nearest_match_distance(ctx, "funding_cues", q, window=120)
    if dist is not None and dist <= 80:
        return True
    for m in ctx.mentions:
        if m.type == "program":
            return True
        if m.type == "institution" and m.category == "government" and not ctx.is_object_position(m):
            return True
        if m.demonym and m.group and ctx.text[m.end : m.end + 25].lstrip().lower().startswith(("gov", "state", "minis")):
            return True
    return False


def payer_country(ctx: SentenceContext, q: Quantity) -> tuple[Mention | None, float]:
    """The country or region that pays public money: named, by demonym, or via its agency or programme."""
    best: tuple[float, Mention] | None = None
    for m in ctx.mentions:
        score: float | None = None
        if m.type in ("country", "region") and m.candidate:
            score = abs(m.start - q.start) + (0 if m.start < q.start else 30)
            if m.demonym and _MONEY_NOUN.match(ctx.text, m.end):
                score -= 150  # "a French grant", "Japanese state aid": the payer named outright
            if ctx.is_object_position(m) and not ctx.text[max(0, m.start - 6) : m.start].lower().strip().endswith(("by", "from")):
                score += 60
        elif (m.type == "program" or m.type == "institution" and m.category == "government") and m.country:
            # an agency or a programme pays for its state; an analyst firm's home ("Taipei-based TrendForce
            # reports Japan's subsidy") pays for nothing
            score = abs(m.start - q.start) + 10
        if score is not None and (best is None or score < best[0]):
            best = (score, m)
    if best is None:
        subject = ctx.subject(q.start, {"country", "region"})
        if subject:
            return subject.mentions[0], subject.confidence - 0.1
        # "will receive a grant of EUR 1.5 billion" in a story about a plant in France: the country the
        # document is about pays; failing one, the recipient's own state ("negotiated a state subsidy")
        place = ctx.state.memory.focus({"country"})
        if place is not None:
            return Mention(0, 0, place.name, place.type, place.country), 0.45
        recipient = ctx.subject(q.start, {"company"}, focus=True)
        if recipient and recipient.mentions[0].country:
            entry = ctx.extractor.entities.lookup(recipient.mentions[0].country)
            if entry is not None:
                return Mention(0, 0, entry.name, entry.type, entry.country), 0.45
        return None, 0.0
    chosen = best[1]
    if chosen.type in ("institution", "program"):
        entry = ctx.extractor.entities.lookup(chosen.country or "")
        if entry is None:
            return None, 0.0
        return Mention(chosen.start, chosen.end, entry.name, entry.type, entry.country), 0.75
    return chosen, 0.8


def program_name(ctx: SentenceContext) -> str | None:
    """The programme's name when the sentence states one."""
    for m in ctx.mentions:
        if m.type == "program":
            return m.name
    match = _PROGRAM_NAME.search(ctx.text)
    if match:
        name = match.group("name").strip("\"“” ")
        if len(name.split()) >= 2 or name.startswith(("\"", "“")):
            return name
    return None


def dollar_fields(ctx: SentenceContext, q: Quantity, year: int | None) -> dict[str, object]:
    """amount, currency, value_usd (the text's own conversion, else the bundled annual rate), value, unit."""
    currency = q.currency or "USD"
    amount = q.amount if q.amount is not None else q.value
    usd = q.usd
    if usd is None:
        rate = ctx.extractor.lexicon.pack.usd_rate(currency, year or ctx.state.year)
        usd = round(amount / rate, 2) if rate else None
    return {"amount": amount, "currency": currency, "value_usd": usd, "value": usd, "unit": "USD" if usd is not None else None}


def money_year(ctx: SentenceContext, q: Quantity) -> dict[str, int | None]:
    """The year money is about: a year named near it ("in 2024", "through 2030"), else the document's."""
    ref = ctx.year_near(q.start, q.end)
    if ref is None:
        return {"year": ctx.state.year, "year_end": None}
    if ref.prep in ("by", "through", "until", "till") and ref.year_end is None:
        start = ctx.state.year if ctx.state.year and ctx.state.year < ref.year else None
        return {"year": start, "year_end": ref.year}
    return {"year": ref.year, "year_end": ref.year_end}
