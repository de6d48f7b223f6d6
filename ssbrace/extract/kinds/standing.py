"""``standing``: who leads, trails or overtakes whom, on what; places and superlatives ("ranks second",
"the world's largest", "holds the most patents") give ``ranks`` with the rank."""

from __future__ import annotations

import re

from ssbrace.extract.context import SentenceContext
from ssbrace.extract.entities import Mention
from ssbrace.extract.kinds.common import is_hedged
from ssbrace.models import Claim

NAME = "standing"
NEEDS = ("entities",)
SUBJECTS = {"company", "country", "region", "institution"}
# Superlatives that state first place: "the world's largest battery maker", "holds the most patents",
# "more patents than any other company", "at the top of the league table", "the main source of filings".
_SUPERLATIVE = re.compile(
    r"(?:world'?s|globe'?s|industry'?s|global|the)[ \t]+(?:single[ \t]+)?(?P<w>largest|biggest|leading|top|main|No\.?[ \t]?1|number[ \t]one|most[ \t]+(?:prolific|active|productive))"
    r"[ \t]+(?:[\w\-]+[ \t]+){0,3}?(?:maker|makers|producer|producers|supplier|suppliers|manufacturer|holder|"
    r"filer|applicant|source|player|company|market|owner|patent[ \t]holder|automaker|carmaker|vendor|"
    r"portfolio|plant|factory|gigafactory|line|facility)s?(?![\w])"
    r"|(?:holds?|held|has|had|owns?|owned|filed|files)[ \t]+the[ \t]+(?:most|largest[ \t]+number[ \t]+of|highest[ \t]+number[ \t]+of)"
    r"[ \t]+(?:[\w\-]+[ \t]+){0,3}?(?:patents?|filings?|applications|IPFs?|share)(?![\w])"
    r"|than[ \t]+any[ \t]+other(?![\w])|at[ \t]+the[ \t]+top[ \t]+of(?![\w])|top(?:s|ped)?[ \t]+the[ \t]+(?:[\w\-]+[ \t]+)?(?:list|ranking|rankings|table|league|count|tally)",
    re.IGNORECASE,
)
# "leads", "dominates", "the leader": first place when no rival is named (present tense only:
# "once dominated" and "who dominated" are history, "widen their lead" is a noun).
_LEADS_ALONE = re.compile(r"(?:leads|lead|dominates|dominate|dominating|leader|front-?runner)$", re.IGNORECASE)
_LEAD_NOUN = re.compile(r"(?:widen\w{0,40}|extend\w{0,40}|keep\w{0,40}|maintain\w{0,40}|narrow\w{0,40}|its|their|the|a|his|her)[ \t]+$", re.IGNORECASE)
_PAST_CLAUSE = re.compile(r"\b(?:once|who|which|formerly|previously|used to|had)\b[^,.;]*$", re.IGNORECASE)
_LED_ALL = re.compile(r"[ \t]+(?:all|the[ \t]+(?:field|pack|ranking|rankings|market|world|list|table))\b", re.IGNORECASE)
_MOST_FROM = re.compile(r"^\W*most\b", re.IGNORECASE)
# Run on the lower-cased sentence (no case folding: faster); every superlative holds one of these.
_SUPERLATIVE_GATE = re.compile(r"largest|biggest|leading|top|main|no\.|number one|most|than any")
_OBJECT_GAP = re.compile(r"^[ \t]*(?:(?:both|all|its|their|the|of|by|to|in|over|far|just|narrowly|slightly|only|"
                         r"rivals?|neighbours?|neighbors?)[ \t]+){0,3}$", re.IGNORECASE)
_FOLLOWED_BY = re.compile(r"\bfollowed[ \t]+(?:closely[ \t]+)?by[ \t]+", re.IGNORECASE)
_MAX_PLACES = 4
_ONLY = re.compile(r"\b(?:trails|behind|second)[ \t]+only\b|\bonly[ \t]+to\b", re.IGNORECASE)
_NOT_STANDING = re.compile(r"lead[\s\-]acid|led[ \t]+by|lead(?:s|ing)?[ \t]+to\b|led[ \t]+to\b|lead[ \t]+time|"
                           r"leading[ \t]+(?:edge|role)|leadership|led[ \t]+an?[ \t]|led[ \t]+the[ \t]+(?:round|financing|investment)",
                           re.IGNORECASE)


def extract(ctx: SentenceContext) -> list[Claim]:
    if is_hedged(ctx):
        return []
    hits = ctx.find("standing")
    superlative = _SUPERLATIVE.search(ctx.text) if _SUPERLATIVE_GATE.search(ctx.lower) else None
    if not hits and superlative is None and not ctx.rank_hits and not _PLACE_WORDS.search(ctx.lower):
        return []
    claims: list[Claim] = []
    emitted: set[tuple[str, str, str | None]] = set()
    aspect = aspect_of(ctx)
    lead_alone: list[int] = []
    for hit in hits:
        if _NOT_STANDING.match(ctx.text, hit.start()) or _NOT_STANDING.search(ctx.text, max(0, hit.start() - 3), hit.end() + 12):
            continue
        relation = ctx.lexicon.label("standing", hit.group())
        if relation in (None, "ranks"):
            continue
        obj = _object_after(ctx, hit.end())
        if obj is None and relation != "leads":
            continue  # no rival named and not a lead on its own: nothing to state
        subject = ctx.subject(hit.start(), SUBJECTS, expand=True, allow_after=False)
        if subject is None:
            continue
        if obj is None:
            if relation == "leads" and aspect and _LEADS_ALONE.match(hit.group()) \
                    and not _LEAD_NOUN.search(ctx.text, max(0, hit.start() - 16), hit.start()) \
                    and not _PAST_CLAUSE.search(ctx.text, max(0, hit.start() - 30), hit.start()):
                lead_alone.append(hit.start())
            elif relation == "leads" and re.match(r"led$", hit.group(), re.I) and _LED_ALL.match(ctx.text, hit.end()):
                lead_alone.append(hit.start())
            continue
        if re.search(r"\bonly\b", hit.group() + ctx.text[hit.end() : hit.end() + 6]) and relation == "leads":
            relation = "trails"
        objects = ctx.coordinated(obj, ctx.candidates(SUBJECTS))
        for mention in subject.mentions:
            for target in objects:
                if mention.name == target.name or not _compatible(mention, target):
                    continue
                key = (mention.name, relation, target.name)
                if key in emitted:
                    continue
                emitted.add(key)
                claims.append(ctx.claim(NAME, mention, subject.confidence, relation=relation, object=target.name,
                                        object_type=target.type, aspect=aspect, technology=ctx.technology(),
                                        segment=None))
    only = "only" in ctx.lower and _ONLY.search(ctx.text)
    _after_rival(ctx, claims, emitted)
    if not only:
        claims.extend(_places(ctx, aspect, emitted, lead_alone, superlative))
    return claims


def _places(ctx: SentenceContext, aspect: str | None, emitted: set, lead_alone: list[int],
            superlative: re.Match[str] | None) -> list[Claim]:
    """Ranks stated in words, superlatives and leads with no rival (rank 1), and "followed by Y" (the next
    places): "Samsung led all applicants, followed by Panasonic with 4,046 and LG, third with 2,999"."""
    if ctx.table_row or _MOST_FROM.match(ctx.text):
        return []
    places = [(h.rank, h.start) for h in ctx.rank_hits][:_MAX_PLACES]
    first = superlative.start() if superlative is not None else (lead_alone[0] if lead_alone else None)
    if first is not None and not any(abs(pos - first) < 20 for _, pos in places):
        # After the stated places: "Panasonic, the main supplier to Tesla, finished fourth" is fourth.
        places.append((1, first))
    claims: list[Claim] = []
    _paired_places(ctx, claims, emitted, aspect)
    ranked: list[tuple[int, int]] = []  # (rank, position) of the places given to a subject
    for rank, pos in places:
        attached = _attached_before(ctx, pos)
        subject = ctx.subject(pos, SUBJECTS, expand=False)
        if attached is not None:
            mention, confidence = attached, 0.75  # "followed by Panasonic in second place": the place is its own
        elif subject is not None:
            mention, confidence = subject.mentions[0], subject.confidence - 0.05
        else:
            continue
        if _add_rank(ctx, claims, emitted, mention, rank, aspect, confidence):
            ranked.append((rank, pos))
    ranked.sort(key=lambda place: place[1])
    for follow in _FOLLOWED_BY.finditer(ctx.text) if ranked and "followed" in ctx.lower else ():
        before = [rank for rank, pos in ranked if pos < follow.start()]
        target = _object_after(ctx, follow.end())
        if not before or target is None:
            continue
        group = ctx.coordinated(target, ctx.candidates(SUBJECTS))
        for offset, mention in enumerate(group, start=1):
            _add_rank(ctx, claims, emitted, mention, before[-1] + offset, aspect, 0.7)
    return claims


_ATTACHED_PLACE = re.compile(r"[ \t]+(?:(?:in|at)[ \t]+(?:the[ \t]+)?)?$", re.IGNORECASE)


def _attached_before(ctx: SentenceContext, pos: int) -> Mention | None:
    """The entity a place is glued to ("Panasonic in second place", "LG in third"), object or not."""
    for m in ctx.candidates(SUBJECTS):
        if m.end <= pos and pos - m.end <= 12 and _ATTACHED_PLACE.fullmatch(ctx.text, m.end, pos):
            return m
    return None


_PLACE_WORDS = re.compile(r"\b(?:places|spots|positions)\b")
_PLACE_LIST = re.compile(r"\b(?P<list>(?:[\w]+,?[ \t]+){1,4}?and[ \t]+[\w]+)[ \t]+(?:places|spots|positions|ranks)\b",
                         re.IGNORECASE)


def _paired_places(ctx: SentenceContext, claims: list[Claim], emitted: set, aspect: str | None) -> None:
    """"A and B kept the first and second places": places in a list go to coordinated subjects in order."""
    if not _PLACE_WORDS.search(ctx.lower):
        return
    ordinals = {str(k).lower(): int(v) for k, v in ctx.lexicon.vocab.ordinals.items()}
    for match in _PLACE_LIST.finditer(ctx.text):
        words = [w for w in re.split(r"[,\s]+", match.group("list").lower()) if w and w != "and"]
        while words and words[0] not in ordinals:
            words.pop(0)  # "kept the first and second": the list starts at its first ordinal
        if len(words) < 2 or any(w not in ordinals for w in words):
            continue
        subject = ctx.subject(match.start(), SUBJECTS, expand=True, allow_after=False)
        if subject is None or len(subject.mentions) != len(words):
            continue
        for mention, word in zip(subject.mentions, words, strict=True):
            _add_rank(ctx, claims, emitted, mention, ordinals[word], aspect, subject.confidence - 0.1)


def _add_rank(ctx: SentenceContext, claims: list[Claim], emitted: set, mention: Mention, rank: int,
              aspect: str | None, confidence: float) -> bool:
    """A ``ranks`` claim for ``mention`` unless it already has one in this sentence."""
    if any(key[0] == mention.name and key[1] == "ranks" for key in emitted):
        return False
    emitted.add((mention.name, "ranks", None))
    claims.append(ctx.claim(NAME, mention, confidence, relation="ranks", rank=rank, aspect=aspect,
                            technology=ctx.technology()))
    return True


def _after_rival(ctx: SentenceContext, claims: list[Claim], emitted: set) -> bool:
    """"the world's second-largest maker after CATL": a place behind a named rival is ``trails`` it."""
    hits = ctx.rank_hits
    if not hits or hits[0].rank < 2:
        return False
    match = re.compile(r"\b(?:after|behind)[ \t]+").search(ctx.text, hits[0].end)
    if not match:
        return False
    obj = _object_after(ctx, match.end())
    subject = ctx.subject(hits[0].start, SUBJECTS, allow_after=False)
    if obj is None or subject is None or subject.mentions[0].name == obj.name:
        return False
    key = (subject.mentions[0].name, "trails", obj.name)
    if key not in emitted:
        emitted.add(key)
        claims.append(ctx.claim(NAME, subject.mentions[0], subject.confidence, relation="trails", object=obj.name,
                                object_type=obj.type, aspect=aspect_of(ctx), technology=ctx.technology()))
    return True


def _object_after(ctx: SentenceContext, pos: int) -> Mention | None:
    """The entity right after a comparison word ("ahead of China", "behind both Japan and China")."""
    for m in ctx.candidates(SUBJECTS):
        if m.start >= pos and _OBJECT_GAP.match(ctx.text[pos : m.start]):
            return m
    return None


def _compatible(a: Mention, b: Mention) -> bool:
    geo = {"country", "region"}
    return (a.type in geo) == (b.type in geo)


def aspect_of(ctx: SentenceContext) -> str | None:
    """What a standing in the sentence is about: the first aspect word's label."""
    for hit in ctx.find("aspects"):
        label = ctx.lexicon.label("aspects", hit.group())
        if label:
            return label
    return None
