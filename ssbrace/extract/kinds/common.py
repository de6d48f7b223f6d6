"""Helpers several claim components share: reading what a figure measures and when."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.entities import Mention
from ssbrace.extract.quantities import Quantity, YearRef

# "grew 20%", "up 12%", "rose by 5%": a change, not a level.
_CHANGE_BEFORE = re.compile(
    r"(?:grew|grow|grows|growing|rose|rise|rises|risen|increased?|increases|jumped?|jumps|surged?|soared?|fell|"
    r"falls?|falling|dropped?|drops|declined?|declines|up|down|plunged?|climbed?|slipped|gained|lost|shrank|"
    r"cut|reduced?|lower|higher|expanded|contracted|by|improved?)[ \t]+(?:by[ \t]+)?(?:about[ \t]+|around[ \t]+|"
    r"some[ \t]+|nearly[ \t]+|almost[ \t]+|over[ \t]+|more than[ \t]+)?$",
    re.IGNORECASE,
)
_CHANGE_AFTER = re.compile(
    r"^[ \t]*(?:a[ \t]+year(?![ \t]+(?:earlier|ago|before|later))|per[ \t]+year|annually|each[ \t]+year|year[ \t\-]on[ \t\-]year|yoy|y/y|growth|"
    r"increase|rise|jump|decline|drop|fall|gain|cagr|compound|more|less|higher|lower|above|below|better|"
    r"cheaper|faster|lighter|smaller|larger|greater|longer|shorter|stake|share[ \t]+stake|owned|"
    r"ownership|interest[ \t]+in|yield|efficiency|capacity retention|retention|of[ \t]+(?:its|their)[ \t]+"
    r"(?:original[ \t]+)?capacity|improvement|reduction|discount|margin|tariff|duty|of[ \t]+(?:the[ \t]+)?"
    r"(?:shares|equity|stock)|charge|charged|state[ \t]+of[ \t]+charge|"
    r"of[ \t]+(?:its[ \t]+|the[ \t]+|their[ \t]+)?(?:group[ \t]+|total[ \t]+|annual[ \t]+)?(?:sales|revenue|turnover|profit))",
    re.IGNORECASE,
)
_NOT_LEVEL_BEFORE = re.compile(
    r"(?:yield|yields|efficiency|retention|stake|probability|chance|discount|margin|tariff|duty|rate|"
    r"stock|shares[ \t]+(?:rose|fell|jumped|dropped))[ \t]+(?:of[ \t]+|at[ \t]+|to[ \t]+)?(?:about[ \t]+|around[ \t]+|"
    r"roughly[ \t]+|over[ \t]+|more than[ \t]+|nearly[ \t]+)?$",
    re.IGNORECASE,
)
_EQUITY = re.compile(r"\b(?:joint[ \t]+venture|venture|JV|stake|shareholder|shareholding|owned|owns|subsidiary|equity)\b",
                     re.IGNORECASE)
# "up from 38 percent", "edged down from about 70 percent": the earlier level a change starts from.
_PREVIOUS_BEFORE = re.compile(r"\b(?:up|down|rising|rose|risen|fell|fallen|falling|dropped|declined|climbed|grew|"
                              r"edged[ \t]+(?:up|down)|slipped)[ \t]+from[ \t]+(?:about[ \t]+|around[ \t]+|roughly[ \t]+|"
                              r"some[ \t]+|nearly[ \t]+|almost[ \t]+|just[ \t]+|only[ \t]+)?$", re.IGNORECASE)
# A dated earlier level ("down from 34.9% a year earlier", "fell from 6.1% in 2023") is a claim of its own.
_PREVIOUS_DATED = re.compile(r"^[ \t,]*(?:in[ \t]+|at[ \t]+the[ \t]+end[ \t]+of[ \t]+)?(?:(?:19|20)\d\d\b|a[ \t]+year[ \t]+"
                             r"(?:earlier|ago|before)|last[ \t]+year|the[ \t]+(?:previous|prior)[ \t]+year)", re.IGNORECASE)
# "in about a third of the time": a fraction of a duration, cost or weight, not a share of anything counted.
_NOT_LEVEL_AFTER = re.compile(r"^(?:[ \t]+of)?[ \t]+(?:the[ \t]+|a[ \t]+)?(?:time|cost|costs|weight|size|price|prices)\b",
                              re.IGNORECASE)
_SIGNED = re.compile(r"(?:^|[\s(\[])[+\-−]$")  # the sign touches the number: "CATL - 36.8%" is a separator
_CHARGE_BEFORE = re.compile(r"(?:to|from|at|charg\w*[ \t]+to|between)[ \t]+$", re.IGNORECASE)


def percent_is_level(ctx: SentenceContext, q: Quantity) -> bool:
    """Is this percentage a level (a share of something), not a change, a stake, a yield or a charge?"""
    before = ctx.text[max(0, q.start - 40) : q.start]
    after = ctx.text[q.end : q.end + 40]
    if _SIGNED.search(before):
        return False  # "(QS -6.93%)", "+3.2%": a signed move, a change, never a share
    if _CHANGE_BEFORE.search(before) or _CHANGE_AFTER.search(after) or _NOT_LEVEL_BEFORE.search(before):
        return False
    if _PREVIOUS_BEFORE.search(before) and not _PREVIOUS_DATED.match(after):
        return False  # an earlier level with no date of its own ("up from 38 percent in the first years")
    if _NOT_LEVEL_AFTER.match(after):
        return False
    if _EQUITY.search(ctx.text, max(0, q.start - 80), q.start):
        return False  # "a joint venture in which Toyota holds 51%": equity, not a market
    if _CHARGE_BEFORE.search(before) and re.search(r"charg", ctx.text[max(0, q.start - 60) : q.end + 40], re.I):
        return False
    return True


def nearest_match_distance(ctx: SentenceContext, name: str, q: Quantity, *, window: int = 90) -> int | None:
    """Distance in characters from ``q`` to the nearest phrase of vocabulary list ``name``."""
    best = None
    lo = max(0, q.start - window)
    hi = min(len(ctx.text), q.end + window)
    for hit in ctx.find(name, lo, hi):
        dist = q.start - hit.end() if hit.end() <= q.start else max(0, hit.start() - q.end)
        if best is None or dist < best:
            best = dist
    return best


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): between semicolons, sentence ends or " while "/" whereas "."""
    left = max(text.rfind(";", 0, start), text.rfind(" while ", 0, start), text.rfind(" whereas ", 0, start))
    right_candidates = [i for i in (text.find(";", end), text.find(" while ", end), text.find(" whereas ", end)) if i >= 0]
    return (left + 1 if left >= 0 else 0), (min(right_candidates) if right_candidates else len(text))


def year_fields(ref: YearRef | None) -> dict[str, object]:
    """``year``/``year_end`` of a claim from a year reference."""
    if ref is None:
        return {"year": None, "year_end": None}
    return {"year": ref.year, "year_end": ref.year_end}


def figure_year(ctx: SentenceContext, q: Quantity) -> YearRef | None:
    """The data year of a figure: "in 2023", "(2024)", "2022 EV battery usage", else the nearest year."""
    after = [r for r in ctx.years if r.start >= q.end and r.start - q.end <= 30
             and not re.search(r"\d[\d.,]{0,40}\s?%|\d[\d.,]{0,40}\s?(?:GWh|patents)", ctx.text[q.end:r.start])]
    if after:
        return after[0]
    return ctx.year_near(q.start, q.end)


def is_hedged(ctx: SentenceContext) -> bool:
    """A question, a denial or a rumour: the sentence states no fact."""
    hedged = ctx.__dict__.get("_hedged")  # asked by every component: answered once per sentence
    if hedged is None:
        hedged = ctx.__dict__["_hedged"] = ctx.text.rstrip().endswith("?") or ctx.has("hedges")
    return hedged


def respectively(ctx: SentenceContext, figures: list[Quantity], types: set[str]) -> dict[int, Mention] | None:
    """"A and B hold 13.6% and 4.6%[, respectively]": pair figures with coordinated subjects by order."""
    if len(figures) < 2:
        return None
    pool = ctx.candidates(types)
    if len(pool) < 2:
        return None
    first = figures[0]
    before = [m for m in pool if m.end <= first.start]
    if not before:
        return None
    group = ctx.coordinated(before[-1], pool)
    if len(group) != len(figures) or ctx.is_object_position(group[0]):
        return None
    joins = [ctx.text[a.end : b.start] for a, b in zip(figures, figures[1:], strict=False)]
    listed = all(re.fullmatch(r"[ \t]*(?:,|and|, and)[ \t]*", j) for j in joins)
    if not listed and "respectively" not in ctx.text[figures[-1].end : figures[-1].end + 20]:
        return None
    return {id(q): m for q, m in zip(figures, group, strict=True)}
