"""``funding``: public money (subsidies, programmes, government R&D); the subject is the paying country."""

from __future__ import annotations

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.kinds.common import is_hedged
from ssbrace.extract.kinds.money import (
    dollar_fields,
    is_public,
    money_figures,
    money_year,
    payer_country,
    program_name,
)
from ssbrace.models import Claim

NAME = "funding"
NEEDS_NUMBERS = True
NEEDS = ("entities", "quantities", "years")


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx):
        return []
    claims: list[Claim] = []
    for q in money_figures(ctx):
        if not is_public(ctx, q):
            continue
        payer, confidence = payer_country(ctx, q)
        if payer is None:
            continue
        years = money_year(ctx, q)
        fields = dollar_fields(ctx, q, years["year"])
        claims.append(ctx.claim(
            NAME, payer, confidence, bound=q.bound, program=program_name(ctx), technology=ctx.technology(),
            **years, **fields,
        ))
    return claims
