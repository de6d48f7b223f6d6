"""``partnership``: two named parties working together, whatever the form: "A teamed up with B",
"B, a partner of A", "a supply deal with B", "A invested in B", "jointly developed by A and B",
"A will use B's cells", or a coordinated subject pursuing a joint goal ("A and B aim to...")."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.entities import Mention
from ssbrace.extract.kinds.common import is_hedged
from ssbrace.models import Claim

NAME = "partnership"
NEEDS = ("entities",)
PARTIES = {"company", "institution", "program"}
_JOINT_GOAL = re.compile(
    r"^[ \t]*(?:,[^,]{0,60},[ \t]*)?(?:have|has|had|will|would|are|were|plan|plans|planned|aim|aims|aimed|"
    r"intend|intends|agreed|agree|said|say|signed|sign|launched|launch|formed|form|unveiled|announced|"
    r"together|jointly|co-?develop\w*|develop\w*|expect|expects|hope|hopes|showed|show|unveiled|presented|"
    r"demonstrated|to)\b",
    re.IGNORECASE,
)
MAX_PAIRS = 6
_WITH_BEFORE = re.compile(r"(?<![\w])(?:with|to)[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
# A funding round and who led it, in either order ("a round led by A", "a round that A and B led").
_ROUND_LED = re.compile(r"\bround\b[^.;]{0,80}?\bled\b|\bled\b[^.;]{0,40}?\bround\b", re.IGNORECASE)
_RIVALS_AFTER = re.compile(r"^[ \t]*+(?:are|were|remain|have[ \t]+been)?[ \t]*+(?:fierce[ \t]+|bitter[ \t]+|close[ \t]+|arch-?)?"
                           r"(?:rivals|competitors|compet\w*|vie|vying)\b", re.IGNORECASE)
_PARTNER_WORD = re.compile(r"partner|ally|allied|customer|suppl|investor|back(?:er|ed|s|ing)\b|shareholder|stake|"
                           r"invest|works?[ \t]+with|worked[ \t]+with|working[ \t]+with|team|jointly|licen[cs]",
                           re.IGNORECASE)
_VENTURE_NAME = re.compile(r"(?:joint[ \t\-]venture|venture|JV)[ \t]*(?:,|called|named)[ \t]*(?:the[ \t]+)?$", re.IGNORECASE)
_STATE_DEAL = re.compile(r"cooperat|partner|agreement|alliance|memorandum|\bMoU\b|\bjoint\b", re.IGNORECASE)
# "A, B and C have each put money into ...": a coordinated subject acting separately, not together.
_DISTRIBUTIVE = re.compile(r"^[ \t]*+(?:have|has|had|will|would|are|were|all)?[ \t]*+(?:each|separately|independently|"
                           r"individually|respectively|on their own)\b", re.IGNORECASE)
# "investor briefing", "investor day": an event for shareholders, not an investment in anyone.
_INVESTOR_EVENT = re.compile(r"[ \t]*(?:'s[ \t]+|s'[ \t]+)?(?:briefing|day|days|call|calls|meeting|presentation|"
                             r"conference|relations|update|event)\b", re.IGNORECASE)
# "a tie-up between A and B": the pair is stated; other names in the sentence are not parties to it.
_BETWEEN = re.compile(r"\bbetween[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
# ", and QuantumScape is ...": a new clause with its own subject; its names are not parties to an earlier deal.
_NEW_CLAUSE = re.compile(r"(?:,[ \t]*(?:and|but|while|whereas)|;)[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
_CLAUSE_VERB = re.compile(r"[ \t]+(?:is|are|was|were|has|have|had|will|would|said|says|plans|expects|also|still)\b")
# "worked with US startup Solid Power": a party introduced after "with"/"to" by a short description.
_WITH_DESCRIBED = re.compile(r"\b(?:with|to)[ \t]+(?:(?:the|a|an|its|[a-z][\w\-]*|U\.S\.|US|UK|EU|[A-Z][a-z]+(?:an|ese|ish|ian))"
                             r"[ \t]+){1,3}$")
_ASIDE = re.compile(r",[ \t]*(?:founded|based|set up|established|whose|which|who|where|formerly|once)\b[^,;]{0,90},",
                    re.IGNORECASE)


def strong_cues(ctx: SentenceContext) -> list:
    """The partnership cues of the sentence that are not weak and not an event ("investor day")."""
    return [h for h in ctx.find("partnership_cues") if not ctx.lexicon.rx("partnership_weak_cues").fullmatch(h.group())
            and not (h.group().lower().startswith("investor") and _INVESTOR_EVENT.match(ctx.text, h.end()))]


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx):
        return []
    parties = _parties(ctx)
    listed = _investor_list(ctx, parties)
    return (listed if listed is not None else _deals(ctx, parties)) + _product_sales(ctx)


# "A, B and C led the round", "investors in the round include A and B", "A participated in the financing":
# a sentence that only lists investors, the company that raised the money named before it.
_INVESTOR_LIST = re.compile(
    r"\b(?:co-)?led[ \t]+(?:the|a|its|this|that)[ \t]+(?:[\w$.,\-]+[ \t]+){0,4}?(?:round|raise|financing|funding)\b"
    r"|\b(?:investors|backers|participants)[ \t]+(?:include|included|including)\b"
    r"|\b(?:investors|backers|participants)[ \t]+in[ \t]+(?:the|a|this|its)[ \t]+(?:[\w$.\-]+[ \t]+){0,4}?"
    r"(?:round|raise|financing|funding)[ \t]+(?:include|included|including|were|are)\b"
    r"|\bparticipated[ \t]+in[ \t]+(?:the|a|this|its)[ \t]+(?:[\w$.\-]+[ \t]+){0,4}?(?:round|raise|financing|funding)\b",
    re.IGNORECASE)


def _investor_list(ctx: SentenceContext, parties: list[Mention]) -> list[Claim] | None:
    """Each investor a sentence lists with the company named just before as raising the money; co-investors are
    not partners of each other. None when the sentence is not such a list or names the company itself."""
    lower = ctx.lower
    if not ("led" in lower or "investors" in lower or "backers" in lower or "particip" in lower) \
            or not _INVESTOR_LIST.search(ctx.text):
        return None
    raiser = _company_before(ctx)
    if not parties or raiser is None or raiser.name in {m.name for m in parties}:
        return None
    return [ctx.claim(NAME, raiser, 0.6, object=m.name, object_type=m.type, year=_deal_year(ctx),
                      technology=ctx.technology()) for m in parties[:MAX_PAIRS]]


def _company_before(ctx: SentenceContext) -> Mention | None:
    """The first company of the nearest earlier sentence (within two) that names one."""
    nearest: tuple[int, Mention] | None = None
    for index, m in ctx.state.memory.history:
        if m.type == "company" and ctx.index - 2 <= index < ctx.index and (nearest is None or index > nearest[0]):
            nearest = (index, m)
    return nearest[1] if nearest else None


def _product_sales(ctx: SentenceContext) -> list[Claim]:
    """A supplier credited with its buyers' sales: "X grew on sales of A's model and B's model", "X's cells were
    installed in cars made by A and B" (market-share reports). One supplier named in the sentence, the buyers
    named after the cue; each pair is a supply relation."""
    cues = ctx.find("product_sales_cues")
    if not cues or not ctx.has("product_sales_links"):
        return []
    vocab = ctx.lexicon.vocab
    suppliers = {m.name: m for m in ctx.candidates({"company"}) if m.category in vocab.supplier_categories}
    if len(suppliers) != 1:
        return []  # none, or several whose buyers the sentence does not tell apart
    supplier = next(iter(suppliers.values()))
    first = cues[0].end()
    buyers: dict[str, Mention] = {}
    for m in ctx.candidates({"company"}):
        if m.start >= first and m.category in vocab.buyer_categories and m.name != supplier.name:
            if _CLAUSE_BREAK.search(ctx.text, first, m.start):
                break  # "...; meanwhile A ...": a later clause's names are not the buyers
            buyers.setdefault(m.name, m)
    return [ctx.claim(NAME, supplier, 0.6, object=b.name, object_type=b.type, year=_deal_year(ctx),
                      technology=ctx.technology()) for b in list(buyers.values())[:MAX_PAIRS]]


_CLAUSE_BREAK = re.compile(r";|[,\s](?:while|whereas|but|meanwhile)\b", re.IGNORECASE)


def sales_buyers(ctx: SentenceContext, rule_keys: set[frozenset[str]]) -> frozenset[str]:
    """The buyers ``_product_sales`` paired with a supplier in this sentence, when there are two or more: co-buyers,
    not partners of each other (the candidates leave their pair out)."""
    if not rule_keys or not ctx.find("product_sales_cues"):
        return frozenset()
    vocab = ctx.lexicon.vocab
    category = {m.name: m.category for m in ctx.mentions}
    buyers = {n for key in rule_keys if any(category.get(x) in vocab.supplier_categories for x in key)
              for n in key if category.get(n) in vocab.buyer_categories}
    return frozenset(buyers) if len(buyers) > 1 else frozenset()


def _deals(ctx: SentenceContext, parties: list[Mention]) -> list[Claim]:
    strong = strong_cues(ctx)
    if not strong and "round" in ctx.lower and _ROUND_LED.search(ctx.text):
        strong = [_ROUND_LED.search(ctx.text)]  # "a round that A and B led": the lead investors back the raiser
    weak = ctx.has("partnership_weak_cues")
    if strong:
        between = _between_pair(ctx, parties)
        if between:
            return [ctx.claim(NAME, between[0], 0.75, object=between[1].name, object_type=between[1].type,
                              year=_deal_year(ctx), technology=ctx.technology())]
        parties = _same_clause(ctx, parties, strong)
    group = _subject_group(ctx, parties, strong=bool(strong))
    if not strong and not (group and len(group) > 1 and (weak or ctx.has("goal_cues"))):
        return []
    described = bool(parties) and not ctx.is_object_position(parties[0]) and \
        _WITH_DESCRIBED.search(ctx.text, max(0, parties[0].start - 40), parties[0].start) is not None
    if parties and (ctx.is_object_position(parties[0]) or described):
        # "deliver cells to BMW and Ford": the named parties are all objects; the subject is referred to
        resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, {"company"}, ctx.mentions)
        if resolved and resolved[1] < parties[0].start and resolved[0][0].name not in {m.name for m in parties}:
            anchor = resolved[0][0]
            year = _deal_year(ctx)
            objects = parties
            if described:
                # "It worked with US startup A ..., and with B": only the parties after with/to are its partners;
                # a later named subject ("its parent, C, bought a stake in the startup") pairs as before
                objects = [m for i, m in enumerate(parties) if i == 0 or ctx.is_object_position(m)]
            claims = [ctx.claim(NAME, anchor, 0.55, object=b.name, object_type=b.type, year=year,
                                technology=ctx.technology()) for b in objects[:MAX_PAIRS]]
            if len(objects) == len(parties):
                return claims
            return claims + [ctx.claim(NAME, a, 0.6, object=b.name, object_type=b.type, year=year,
                                       technology=ctx.technology()) for a, b in _pairs(parties, None)[:MAX_PAIRS]]
        if len(parties) > 1 and len(ctx.coordinated(parties[0], parties)) == len(parties) and \
                _WITH_BEFORE.search(ctx.text, max(0, parties[0].start - 12), parties[0].start):
            return []  # "signed deals with A, B and C": the listed parties are partners of someone else, not of each other
    if len(parties) < 2:
        resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, {"company"}, ctx.mentions)
        if not resolved or not parties:
            return []
        anchor_group, _ = resolved
        names = {m.name for m in parties}
        extra = [m for m in anchor_group if m.name not in names]
        if not extra:
            return []
        parties = extra[:1] + parties
        confidence = 0.55
    else:
        confidence = 0.75 if strong else 0.6
    pairs = _pairs(parties, group)
    year = _deal_year(ctx)
    claims = []
    for a, b in pairs[:MAX_PAIRS]:
        claims.append(ctx.claim(NAME, a, confidence, object=b.name, object_type=b.type, year=year,
                                technology=ctx.technology()))
    return claims


def _parties(ctx: SentenceContext) -> list[Mention]:
    """Distinct named parties not set against each other ("rivals such as", "ahead of")."""
    not_rx = ctx.lexicon.rx("partnership_not")
    out: list[Mention] = []
    seen: set[str] = set()
    asides = [(a.start(), a.end()) for a in _ASIDE.finditer(ctx.text) if not _PARTNER_WORD.search(a.group())]
    for m in ctx.candidates(PARTIES):
        if m.name in seen:
            continue
        if not_rx.search(ctx.text, max(0, m.start - 22), m.start):
            continue
        if any(s < m.start < e for s, e in asides):
            continue  # "WeLion, founded by researchers from the Academy, ...": background, not a party
        if _VENTURE_NAME.search(ctx.text, max(0, m.start - 30), m.start):
            continue  # "set up a joint venture, Prime Planet Energy & Solutions": the venture, not a party
        seen.add(m.name)
        out.append(m)
    countries = [m for m in ctx.candidates({"country"}) if m.name not in seen and not m.demonym]
    if not out and len(countries) >= 2 and _STATE_DEAL.search(ctx.text) and not ctx.has("standing"):
        return countries
    return out


def _between_pair(ctx: SentenceContext, parties: list[Mention]) -> tuple[Mention, Mention] | None:
    """"a tie-up between A and B" -> (A, B)."""
    names = {m.name for m in parties}
    pool = [m for m in ctx.candidates(PARTIES) if m.name in names]
    for m in pool:
        if _BETWEEN.search(ctx.text, max(0, m.start - 16), m.start):
            group = ctx.coordinated(m, pool)
            if len(group) == 2 and group[0] is m and group[0].name != group[1].name:
                return group[0], group[1]
    return None


def _same_clause(ctx: SentenceContext, parties: list[Mention], strong: list) -> list[Mention]:
    """Drop parties that open a later clause of their own (", and C is ...") holding no partnership cue."""
    cue_starts = [h.start() for h in strong]
    out: list[Mention] = []
    for i, m in enumerate(parties):
        if i > 0 and _NEW_CLAUSE.search(ctx.text, max(0, m.start - 12), m.start) and \
                _CLAUSE_VERB.match(ctx.text, m.end):
            if not any(c > m.start for c in cue_starts):
                break  # this and every later party sit in a clause after the deal, with no cue of its own
        out.append(m)
    return out


def _subject_group(ctx: SentenceContext, parties: list[Mention], strong: bool = False) -> list[Mention] | None:
    """A coordinated subject ("Toyota and Idemitsu ...", "Hyundai and its affiliate Kia ...")."""
    if len(parties) < 2:
        return None
    group = ctx.coordinated(parties[0], parties)
    if len(group) < 2 or group[-1].possessive:
        return None
    tail = ctx.text[group[-1].end : group[-1].end + 80]
    if _RIVALS_AFTER.match(tail) or _DISTRIBUTIVE.match(tail):
        return None  # "A and B are rivals", "A and B compete": set against each other, not partners
    if not strong and not _JOINT_GOAL.match(tail):
        return None
    return group


def _pairs(parties: list[Mention], group: list[Mention] | None) -> list[tuple[Mention, Mention]]:
    if group and len(group) == len(parties):
        return [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
    # "A and B teamed up with C": each of A and B with C, not A with B
    anchor_set = group or parties[:1]
    rest = [m for m in parties if m not in anchor_set]
    pairs = [(a, b) for a in anchor_set for b in rest]
    return [(a, b) for a, b in pairs if a.name != b.name]


def _deal_year(ctx: SentenceContext) -> int | None:
    for ref in ctx.years:
        if ref.prep in ("in", "since", "", "from") and ref.year_end is None:
            return ref.year
    return None
