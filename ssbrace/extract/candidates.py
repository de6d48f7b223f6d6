"""Rules propose: every claim the components find, widened into the readings a trained model chooses from.

The components are precise readers of figures, money, units and dates; where they are weakest is in *who*
a figure is about and in which pairs of names a sentence relates. So each rule claim becomes a group of
candidates that differ only in their subject (entities of this sentence, of the two before it, the entity
a referring phrase points at, the document's focus), and each sentence with a partnership or standing cue
adds one candidate per pair of parties, per entity and rank, per entity and superlative, and per entity on
each side of a comparison. Each candidate carries the features the decision model reads
(``ssbrace.extract.decide``). Pure: no I/O.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property, partial
from itertools import combinations
from typing import TYPE_CHECKING

from ssbrace.extract.entities import CALENDAR_WORDS, Mention
from ssbrace.extract.kinds.common import is_hedged, nearest_match_distance
from ssbrace.extract.kinds.money import dollar_fields, is_public, money_figures, money_year
from ssbrace.extract.kinds.partnership import sales_buyers, strong_cues
from ssbrace.extract.kinds.standing import aspect_of
from ssbrace.extract.quantities import YearRef
from ssbrace.models import Claim

if TYPE_CHECKING:
    from ssbrace.extract.context import SentenceContext

# Who can be the subject of each kind (the components' own sets; standing and partnership below).
SUBJECTS: dict[str, set[str]] = {
    "patents": {"company", "country", "region", "institution"},
    "patent_share": {"company", "country", "region", "institution"},
    "funding": {"country", "region", "program", "institution"},
    "investment": {"company"},
    "market_share": {"company", "country", "region"},
    "target": {"company", "country", "region", "institution"},
    "spec": {"company", "institution"},
    "capacity": {"company", "country", "region"},
    "standing": {"company", "country", "region"},
    "partnership": {"company", "institution", "program"},
}
# Which word features the model sees: the words between subject and figure ("gap"), around the figure
# ("anchor"), before the subject ("context"). Structural features (distances, names and cues in between,
# positions) are always there; words are few per document and let a model memorise its training text.
LEXICAL = frozenset(os.environ.get("SSBRACE_LEXICAL", "gap,anchor,context").split(","))
MAX_PAIRS = 8  # pairs of parties per sentence, likeliest first (a list of twenty names is a list, not a deal;
# cross-validation on a-j scored 8 at least as well as 12 and 16, with fewer readings to weigh) ...
MAX_LINKED_PAIRS = 16  # ... but each of the first party's pairs across a linking word ("A and B supply C, D and E")
_WORD = re.compile(r"[a-z][a-z\-']*|\d+|[$€¥£%]", re.IGNORECASE)
_GEO = {"country", "region"}


class Candidate:
    """One reading of a claim, with where it came from and what the model sees of it.

    The features of a rival reading are built when first read (``make``): the decision never looks at the
    rivals of a rule reading it keeps, and most rule readings are kept, so extraction skips that work.
    Features that compare a group's readings go to ``extra`` without building the rest."""

    __slots__ = ("_claim", "group", "source", "_features", "_make")

    def __init__(self, claim: Claim | Callable[[], Claim], group: int, source: str,
                 features: dict[str, float] | None = None,
                 make: Callable[[], dict[str, float]] | None = None) -> None:
        self._claim = claim  # or a function that builds it, for a rival the decision may never look at
        self.group = group  # candidates of one group compete: the decision keeps at most one of them
        self.source = source  # rule | alt | flip | pair | member | year | money | rank | enum | compare
        self._features = features if features is not None else {}
        self._make = make

    @property
    def claim(self) -> Claim:
        if not isinstance(self._claim, Claim):
            self._claim = self._claim()
        return self._claim

    @property
    def features(self) -> dict[str, float]:
        if self._make is not None:
            built = self._make()
            built.update(self._features)
            self._features, self._make = built, None
        return self._features

    @features.setter
    def features(self, value: dict[str, float]) -> None:
        self._features, self._make = value, None

    @property
    def extra(self) -> dict[str, float]:
        """Where features are added without building the lazy ones (merged when they are built)."""
        return self._features

    def __repr__(self) -> str:
        return f"Candidate({self.claim.kind}, {self.claim.subject!r}, group={self.group}, source={self.source!r})"


@dataclass
class Place:
    """Where a candidate's subject was found, relative to the sentence of the claim."""

    mention: Mention | None
    where: str  # same | prev1 | prev2 | coref | focus | rule
    first: bool = False  # the first candidate name of its sentence


def _words(text: str, limit: int) -> list[str]:
    # a hyphenated run of more than four parts is a URL slug or a headline glued together, not a word
    return [w.lower() for w in _WORD.findall(text) if w.count("-") < 4][:limit]


def _bucket(n: float, edges: tuple[int, ...] = (0, 5, 15, 30, 60, 100, 200)) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return "more"


class Proposer:
    """Builds the candidate groups of one document, sentence by sentence."""

    def __init__(self) -> None:
        self.next_group = 0
        self.previous: list[list[Mention]] = []  # candidate mentions of the last two sentences, nearest last
        self._place_cache: dict[tuple[frozenset[str], bool], list[Place]] = {}  # the current sentence's, by subject types

    def _group(self) -> int:
        self.next_group += 1
        return self.next_group

    def remember(self, mentions: list[Mention]) -> None:
        self.previous = (self.previous + [[m for m in mentions if m.candidate]])[-2:]

    # ------------------------------------------------------------------ proposals
    def propose(self, ctx: SentenceContext, rule_claims: list[Claim]) -> list[Candidate]:
        out: list[Candidate] = []
        self._place_cache = {}
        sentence = _SentenceView(ctx)
        if is_hedged(ctx):
            # a question, a denial or a rumour: the rules' veto is exact, so nothing new is proposed here
            return [Candidate(claim, self._group(), "rule", sentence.features(claim, Place(None, "rule"), (0, 0), "rule"))
                    for claim in rule_claims]
        for claim in rule_claims:
            if claim.kind == "partnership":
                continue  # pairs are proposed below, the rule's pairs marked among them
            out.extend(self._alternatives(ctx, sentence, claim))
        out.extend(self._targets(ctx, sentence, [c for c in rule_claims if c.kind == "target"]))
        out.extend(self._money(ctx, sentence, [c for c in rule_claims if c.kind in _MONEY_FLIP]))
        out.extend(self._pairs(ctx, sentence, [c for c in rule_claims if c.kind == "partnership"]))
        out.extend(self._members(ctx, sentence))
        out.extend(self._standings(ctx, sentence, [c for c in rule_claims if c.kind == "standing"]))
        out.extend(self._enumerated(ctx, sentence, [c for c in rule_claims if c.kind == "standing"]))
        if out:
            # what the document has said so far, fixed now: lazy features are built after the last sentence
            sentence.salience, sentence.first_named  # noqa: B018
        return out

    def _places(self, ctx: SentenceContext, types: set[str], *, names: bool = False) -> list[Place]:
        """Every entity that could be the subject: this sentence, the two before, coreference, focus; with
        ``names``, capitalised names the gazetteer does not know as well."""
        key = (frozenset(types), names)
        if key not in self._place_cache:
            self._place_cache[key] = self._find_places(ctx, types, names)
        return self._place_cache[key]

    def _find_places(self, ctx: SentenceContext, types: set[str], names: bool) -> list[Place]:
        places: list[Place] = []
        here = ctx.candidates(types)
        for i, m in enumerate(here):
            places.append(Place(m, "same", first=i == 0))
        if names and "company" in types:
            # a payer the gazetteer does not know ("Koch Strategic Platforms is investing $30 million")
            taken = {m.name for m in here}
            places += [Place(m, "name") for m in proper_nouns(ctx) if m.name not in taken]
        for back, mentions in enumerate(reversed(self.previous), 1):
            fitting = [m for m in mentions if m.type in types]
            for i, m in enumerate(fitting):
                places.append(Place(m, f"prev{back}", first=i == 0))
        resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, types, ctx.mentions)
        if resolved:
            places.append(Place(resolved[0][0], "coref"))
        focus = ctx.state.memory.focus(types)
        if focus is not None:
            places.append(Place(focus, "focus"))
        return places

    def _alternatives(self, ctx: SentenceContext, sentence: _SentenceView, claim: Claim) -> list[Candidate]:
        group = self._group()
        anchor = sentence.anchor(claim)
        types = SUBJECTS.get(claim.kind, {"company", "country", "region"})
        out = [Candidate(claim, group, "rule")]
        rule_place = sentence.place_of(claim.subject)
        out[0].features = sentence.features(claim, rule_place or Place(None, "rule"), anchor, "rule")
        seen = {claim.subject}
        if claim.kind == "standing" and claim.object:
            seen.add(claim.object)
        placed: list[tuple[Candidate, Place]] = [(out[0], rule_place or Place(None, "rule"))]
        for place in self._places(ctx, types, names=claim.kind in _MONEY_FLIP):
            m = place.mention
            if m is None or m.name in seen:
                continue
            seen.add(m.name)
            alt = partial(replace, claim, subject=m.name, subject_type=m.type, confidence=0.5)
            out.append(Candidate(alt, group, "alt", make=partial(_alt_features, sentence, alt, place, anchor)))
            placed.append((out[-1], place))
        combined = _combined_country(ctx) if claim.kind in ("market_share", "capacity", "patents", "patent_share") else None
        if combined is not None and combined.name not in seen:
            merged = replace(claim, subject=combined.name, subject_type=combined.type, confidence=0.5)
            place = Place(combined, "combined")
            out.append(Candidate(merged, group, "alt", make=partial(sentence.features, merged, place, anchor, "alt")))
            placed.append((out[-1], place))
            for cand, _ in placed:
                cand.extra["combined_reading"] = 1.0
        _relative(placed, anchor)
        _reached(placed, self._places(ctx, types, names=claim.kind in _MONEY_FLIP), claim.kind)
        if "respectively" in ctx.text:
            _respectively(ctx, placed, anchor)
        if claim.kind in _MONEY_FLIP:
            # public money and private capital read alike ("South Korea will invest 20 trillion won"): the
            # other kind with the same subjects, for the model to weigh
            for cand, place in list(placed):
                flipped = replace(cand.claim, kind=_MONEY_FLIP[claim.kind], confidence=0.5)
                out.append(Candidate(flipped, group, "flip",
                                     make=partial(_flip_features, sentence, flipped, place, anchor, cand)))
        return out

    def _pairs(self, ctx: SentenceContext, sentence: _SentenceView, rule_pairs: list[Claim]) -> list[Candidate]:
        out: list[Candidate] = []
        ruled = {frozenset((c.subject, c.object or "")): c for c in rule_pairs}
        rule_keys = set(ruled)
        cued = bool(strong_cues(ctx)) or bool(ctx.find("partnership_weak_cues"))
        if not (cued or ruled or _LINKS.search(ctx.text)):
            return []  # no word that links two parties: names side by side are not a deal
        parties = sorted(ctx.candidates(SUBJECTS["partnership"]) + proper_nouns(ctx) + backers(ctx),
                         key=lambda m: m.start)
        names: dict[str, Mention] = {}
        for m in parties:
            names.setdefault(m.name, m)
        pool = list(names.values())
        lists = name_lists(ctx.text, pool)
        same = _likely_pairs(ctx, pool, lists) if len(pool) > 1 else []
        listed: dict[str, set[str]] = {}
        if ruled:
            # the rules read this sentence's deal ("a tie-up between A and B"); the other pairs of names stay
            # readings (a sentence can tell two deals: "A works with B, while C has backing from D and E"), marked
            # as such, and a name listed with a rule's party is marked too ("supplies A, B and C" when the rules
            # read only C; a list of three or more: "Toyota, and Honda is weighing ..." starts a clause)
            listed = {m.name: group for m in pool
                      if len(group := {o.name for o in ctx.coordinated(m, pool)}) >= 3}
        pairs: list[tuple[Mention | None, Mention, str]] = [(a, b, "same") for a, b in same]
        if cued or ruled:
            resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, {"company"}, ctx.mentions)
            if resolved and resolved[0][0].name not in names:
                # the entity stands where the phrase referring to it does ("the firm ... led by Ford and BMW"),
                # so the words between the phrase and the partner tell as much as between two names
                start, end = ctx.extractor.coref.span(ctx.text, resolved[1])
                ref = replace(resolved[0][0], start=start, end=end, text=ctx.text[start:end])
                pairs += [(ref, b, "coref") for b in pool][:4]
        co_buyers = sales_buyers(ctx, rule_keys)
        for a, b, where in pairs:
            key = frozenset((a.name if a else "", b.name))
            if key <= co_buyers and key not in rule_keys:
                continue  # two buyers whose sales lifted one supplier are not partners of each other
            rule = ruled.pop(key, None)
            if rule is not None:
                claim = rule
            else:
                claim = ctx.claim("partnership", a, 0.5, object=b.name, object_type=b.type,  # type: ignore[arg-type]
                                  technology=ctx.technology())
            feats = sentence.pair_features(a, b, where, rule is not None, lists)
            if rule is None and rule_keys:
                feats["partnership|rules_chose_another_pair"] = 1.0
                if a is not None and _extends_rule(a.name, b.name, ruled, listed):
                    feats["partnership|extends_rule_list"] = 1.0
            out.append(Candidate(claim, self._group(), "rule" if rule is not None else "pair", feats))
        for claim in ruled.values():
            a_m, b_m = names.get(claim.subject), names.get(claim.object or "")
            if a_m is not None and b_m is not None:  # both named here, a pair the likely pairs passed over
                feats = sentence.pair_features(a_m, b_m, "same", True, lists)
            else:  # a rule pair whose parties this sentence does not name (coreference)
                feats = sentence.pair_features(None, None, "rule", True)
            out.append(Candidate(claim, self._group(), "rule", feats))
        if cued and pool:
            out.extend(self._cross_pairs(ctx, sentence, pool, rule_keys))
        return out

    def _cross_pairs(self, ctx: SentenceContext, sentence: _SentenceView, pool: list[Mention],
                     rule_keys: set[frozenset[str]]) -> list[Candidate]:
        """A party named here with a partner named in an earlier sentence: "Acme raised $20 million. Investors
        include Foo and Bar", "Acme isn't alone. They've teamed up with Foo". One group per party named here,
        its readings the entities of the two sentences before, the one a referring phrase points at, the
        document's focus and its first-named company; features say how the sentence supports each."""
        here = {m.name for m in pool}
        others: list[tuple[Mention, str, int]] = []  # (entity, where, order within its sentence)
        taken: set[str] = set()

        def add(m: Mention | None, where: str, order: int = 0) -> None:
            if m is not None and m.name not in here and m.name not in taken and m.type in SUBJECTS["partnership"]:
                taken.add(m.name)
                others.append((m, where, order))

        resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, {"company"}, ctx.mentions)
        ref = resolved[0][0] if resolved else None
        add(ref, "coref")
        for back, mentions in enumerate(reversed(self.previous), 1):
            for i, m in enumerate([m for m in mentions if m.type in SUBJECTS["partnership"]][:3]):
                add(m, f"prev{back}", i)
        memory = ctx.state.memory
        add(memory.focus({"company"}), "focus")
        add(memory.first({"company"}), "first")
        if not others:
            return []
        others = others[:5]
        cues = strong_cues(ctx) + ctx.find("partnership_weak_cues") + ctx.find("membership_cues")
        first_cue = min((c.start() for c in cues), default=len(ctx.text))
        before_cue = [m for m in pool if m.end <= first_cue]
        partnered = {n for key in rule_keys for n in key}
        out: list[Candidate] = []
        for b in pool[:8]:
            near = min(cues, key=lambda c: min(abs(c.start() - b.end), abs(b.start - c.end())), default=None)
            if near is None:
                continue
            side = ([m for m in pool if m.end <= near.start()] if b.start >= near.end()
                    else [m for m in pool if m.start >= near.end()])
            if side:
                continue  # the cue's other side names its own party: the deal is told within the sentence
            group = self._group()
            listed = sentence.list_of(b) if b in ctx.mentions else [b]
            for rank, (a, where, order) in enumerate(others):
                claim = ctx.claim("partnership", a, 0.5, object=b.name, object_type=b.type,
                                  technology=ctx.technology())
                f = dict(sentence.base)
                f["kind:partnership"] = 1.0
                f["xpair"] = 1.0
                f[f"xpair|where:{where}"] = 1.0
                f[f"xpair|rank:{min(rank, 3)}"] = 1.0
                f[f"xpair|order:{min(order, 2)}"] = 1.0
                if ref is not None:
                    f["xpair|is_ref" if a.name == ref.name else "xpair|ref_elsewhere"] = 1.0
                f[f"xpair|here:{min(len(pool), 4)}"] = 1.0
                f[f"xpair|before_cue:{min(len(before_cue), 2)}"] = 1.0
                f["xpair|b_before_cue" if b.end <= first_cue else "xpair|b_after_cue"] = 1.0
                # the other side of the cue nearest b: empty when the partner is not named in this sentence
                # ("Investors include Foo", "Foo has invested in the startup")
                f[f"xpair|other_side:{min(len(side), 2)}"] = 1.0
                f[f"xpair|other_side:{min(len(side), 2)}|{'after' if b.start >= near.end() else 'before'}"] = 1.0
                if b is pool[0]:
                    f["xpair|b_first"] = 1.0
                if sentence.object_position(b):
                    f["xpair|b_object"] = 1.0
                if b.name in partnered:
                    f["xpair|b_rule_partnered"] = 1.0
                elif rule_keys:
                    f["xpair|rules_read_pairs"] = 1.0
                if len(listed) >= 2:
                    f[f"xpair|b_listed:{min(len(listed), 3)}"] = 1.0
                if not b.known:
                    f["xpair|b_unknown"] = 1.0
                if not a.known:
                    f["xpair|a_unknown"] = 1.0
                f[f"pair_types:{'-'.join(sorted((a.type, b.type)))}"] = 1.0
                rank_s = sentence.salience.get(a.name)
                f[f"xpair|a_salience:{'new' if rank_s is None else min(rank_s, 2)}"] = 1.0
                if a.name == sentence.first_named:
                    f["xpair|a_first_named"] = 1.0
                for c in cues[:3]:
                    f[f"xpair|cue:{c.group().lower()}"] = 1.0
                if "context" in LEXICAL:
                    for w in _words(ctx.text[max(0, b.start - 30) : b.start], 8)[-2:]:
                        f[f"xpair_pre:{w}"] = 1.0
                out.append(Candidate(claim, group, "xpair", f))
        return out

    def _money(self, ctx: SentenceContext, sentence: _SentenceView, rules: list[Claim]) -> list[Candidate]:
        """Money no rule took ("South Korea will invest 20 trillion won"): both kinds with each subject that
        could pay, one group per amount, when a word near it speaks of spending or receiving money."""
        out: list[Candidate] = []
        taken = {c.amount for c in rules}
        for q in money_figures(ctx):
            amount = q.amount if q.amount is not None else q.value
            if amount in taken:
                continue
            cues = [(name, d) for name in ("funding_cues", "investment_cues")
                    if (d := nearest_match_distance(ctx, name, q, window=120)) is not None]
            if not cues:
                continue
            other = nearest_match_distance(ctx, "money_not_claim", q, window=200)
            if other is not None and other <= min(d for _, d in cues):
                continue  # a market size, a price, revenue: nearer than any word of spending
            years = money_year(ctx, q)
            fields = dollar_fields(ctx, q, years["year"])
            group = self._group()
            placed: list[tuple[Candidate, Place]] = []
            public = is_public(ctx, q)
            for kind in ("funding", "investment"):
                for place in self._places(ctx, SUBJECTS[kind], names=True):
                    m = place.mention
                    if m is None:
                        continue
                    claim = ctx.claim(kind, m, 0.5, bound=q.bound, technology=ctx.technology(), **years, **fields)
                    feats = sentence.features(claim, place, (q.start, q.end), "money")
                    for name, dist in cues:
                        feats[f"{kind}|{name}:{_bucket(dist, (0, 15, 40, 80))}"] = 1.0
                    feats[f"{kind}|public" if public else f"{kind}|private"] = 1.0
                    out.append(Candidate(claim, group, "money", feats))
                    placed.append((out[-1], place))
            _relative(placed, (q.start, q.end))
        return out

    def _members(self, ctx: SentenceContext, sentence: _SentenceView) -> list[Candidate]:
        """Members of an alliance or consortium named here or just before ("CASIP ... includes CATL, CALB
        and EVE Energy"): each member paired with the group, for the model to judge."""
        out: list[Candidate] = []
        cues = ctx.find("membership_cues")
        if not cues:
            return out
        cue = cues[0]
        heads = frozenset(ctx.lexicon.vocab.group_name_words)
        groups = [(m, "same") for m in ctx.mentions if _is_group(m, heads)]
        for back, mentions in enumerate(reversed(self.previous), 1):
            groups += [(m, f"prev{back}") for m in mentions if _is_group(m, heads)]
        if not groups:
            return out
        group_m, where = groups[0]
        members = [m for m in ctx.candidates(SUBJECTS["partnership"]) + proper_nouns(ctx)
                   if m.name != group_m.name and not _is_group(m, heads)]
        seen: set[str] = set()
        for m in members[:12]:
            if m.name in seen:
                continue
            seen.add(m.name)
            claim = ctx.claim("partnership", m, 0.5, object=group_m.name, object_type=group_m.type,
                              technology=ctx.technology())
            feats = sentence.pair_features(m, group_m if where == "same" else None, where, False)
            feats["member"] = 1.0
            feats[f"member|where:{where}"] = 1.0
            feats[f"member|count:{min(len(members), 5)}"] = 1.0
            feats[f"member|cue:{cue.group().lower()[:6]}"] = 1.0
            if not m.known:
                feats["member|unknown"] = 1.0
            out.append(Candidate(claim, self._group(), "member", feats))
        return out

    def _targets(self, ctx: SentenceContext, sentence: _SentenceView, rules: list[Claim]) -> list[Candidate]:
        """Each year near a stage word that no rule target of this sentence took: one group of subjects.

        A month, quarter or season without a year ("in the fourth quarter") reads as the document's year, and
        so does an achievement told in the present ("is testing the cells in its i7") with no time at all."""
        out: list[Candidate] = []
        aims = [h for h in ctx.find("goal_cues") if h.group().lower() != "by"]
        done = ctx.has("milestone_cues")
        underway = ctx.find("underway_cues")
        acted = ctx.has("stage_verbs")  # "presented the cell in 2020", "was demonstrated in 2021"
        if not (aims or done or underway or acted):
            return out  # a year near "production" with no aim and no achievement ("cut production costs in 2024")
        taken = {c.year for c in rules}
        refs: list[tuple[YearRef, str]] = [(ref, "year") for ref in ctx.years]
        doc_year = ctx.state.year
        if doc_year is not None:
            for match in _PERIOD.finditer(ctx.text):
                refs.append((YearRef(doc_year, None, match.start(), match.end(), "eq", "in", match.group()), "period"))
            if not refs and (done or underway):
                cue = (underway or ctx.find("milestone_cues"))[0]
                start, end = (cue.start(), cue.end())
                refs.append((YearRef(doc_year, None, start, end, "eq", "", ""), "now"))
        for ref, how in refs:
            if ref.year in taken or ref.year < 1990:
                continue
            if not any(ch.isdigit() for ch in ref.text) and _RELATIVE_TO_EVENT.search(ref.text):
                continue
            stage = _stage_near(ctx, ref.start, ref.end)
            if (stage is None or stage[2] > 120) and (aims or done):
                # a vague stage word ("production", "launch", "factory") the rules read only beside a goal
                # (production words only: "sales", "use", "launch" read a goal only in the rules' own context)
                weak = _stage_near(ctx, ref.start, ref.end, ("stages_weak",))
                if weak is not None and weak[0] == "mass_production" and weak[2] <= 60 and ref.prep != "for":
                    stage = weak
            if stage is None or stage[2] > 120:
                # no stage word, but the verb says what was done ("is testing", "unveiled", "launched"); with
                # a stated year only a showing ("presented in 2020"): "selling prices in 2024" is no launch
                stage = _stage_of_verb(ctx)
                if stage is not None and how == "year" and stage[0] != "prototype":
                    stage = None
            if (stage is None or stage[2] > 120) and aims and how == "year":
                # an aim with a date and no stage word ("aims to use them in its EVs by 2025"): the stage is
                # unsaid; the model weighs the reading by its cue, its date's preposition and its words
                weak = _stage_near(ctx, ref.start, ref.end, ("stages_weak",))
                stage = (weak[0], "weak_far", weak[2]) if weak is not None else ("commercialization", "unsaid", 0)
            if stage is None or stage[2] > 120 and stage[1] != "weak_far":
                continue
            taken.add(ref.year)
            group = self._group()
            placed: list[tuple[Candidate, Place]] = []
            for place in self._places(ctx, SUBJECTS["target"]):
                m = place.mention
                if m is None:
                    continue
                claim = ctx.claim("target", m, 0.5, value=float(ref.year), unit="year", bound=ref.bound,
                                  year=ref.year, year_end=ref.year_end, stage=stage[0], technology=ctx.technology())
                feats = sentence.features(claim, place, (ref.start, ref.end), "year")
                feats[f"stage_table:{stage[1]}"] = 1.0
                feats[f"stage_dist:{_bucket(stage[2])}"] = 1.0
                feats[f"year_prep:{ref.prep or '-'}"] = 1.0
                feats[f"year_from:{how}"] = 1.0
                feats[f"year_from:{how}|" + ("done" if done else "aim" if aims else "now" if underway else "verb")] = 1.0
                out.append(Candidate(claim, group, "year", feats))
                placed.append((out[-1], place))
            _relative(placed, (ref.start, ref.end))
            _reached(placed, self._places(ctx, SUBJECTS["target"]), "target")
        return out

    def _standings(self, ctx: SentenceContext, sentence: _SentenceView, rules: list[Claim]) -> list[Candidate]:
        """Entities with a rank, a superlative, or on either side of a comparison word."""
        out: list[Candidate] = []
        have = {(c.subject, c.relation, c.object, c.rank) for c in rules}
        pool = ctx.candidates(SUBJECTS["standing"])
        if not pool and not ctx.find("standing"):
            return out
        aspect = aspect_of(ctx)
        # (start, end, rank, source, how many names may take it)
        hits: list[tuple[int, int, int | None, str, int]] = [(h.start, h.end, h.rank, "rank", 6) for h in ctx.rank_hits]
        if not hits:  # a stated place beats a superlative ("the leading supplier to GM, ended the year fifth")
            hits = [(h.start(), h.end(), 1, "rank", 6) for h in ctx.find("superlatives")
                    if not _TOP_N.match(ctx.text, h.end())]  # "three of the top ten places" is a count
            # "launched the world's first car with ...": first place, maybe
            hits += [(h.start(), h.end(), 1, "first", 4) for h in ctx.find("firsts")]
        for start, end, rank, source, reach in hits:
            group = self._group()
            placed = []
            for m in pool[:reach]:
                if (m.name, "ranks", None, rank) in have:
                    continue
                claim = ctx.claim("standing", m, 0.5, relation="ranks", rank=rank, aspect=aspect)
                place = Place(m, "same", first=m is pool[0])
                out.append(Candidate(claim, group, source, sentence.features(claim, place, (start, end), source)))
                placed.append((out[-1], place))
            _relative(placed, (start, end))
        for hit in ctx.find("standing"):
            relation = ctx.lexicon.label("standing", hit.group())
            if relation not in ("leads", "trails", "overtakes"):
                continue
            before = [m for m in pool if m.end <= hit.start()][-3:]
            after = [m for m in pool if m.start >= hit.end()][:3]
            if relation == "leads" and not before and not ctx.rank_hits:
                # "puts it at the forefront": the entity a referring phrase before the cue points at
                resolved = ctx.extractor.coref.resolve(ctx.text, ctx.index, ctx.state.memory, SUBJECTS["standing"],
                                                       ctx.mentions)
                if resolved and resolved[1] < hit.start() and (m := resolved[0][0]).name not in {x.name for x in after}:
                    if (m.name, "ranks", None, 1) not in have:
                        claim = ctx.claim("standing", m, 0.5, relation="ranks", rank=1, aspect=aspect)
                        feats = sentence.features(claim, Place(m, "coref"), (hit.start(), hit.end()), "lead_alone")
                        feats["rival_named" if after else "no_rival"] = 1.0
                        out.append(Candidate(claim, self._group(), "lead_alone", feats))
            if relation == "leads" and before and not ctx.rank_hits:
                # "X is at the forefront", "X leads in power batteries": first place, no rival named
                group = self._group()
                for m in before:
                    if (m.name, "ranks", None, 1) in have:
                        continue
                    claim = ctx.claim("standing", m, 0.5, relation="ranks", rank=1, aspect=aspect)
                    feats = sentence.features(claim, Place(m, "same", first=m is pool[0]), (hit.start(), hit.end()),
                                              "lead_alone")
                    feats["rival_named" if after else "no_rival"] = 1.0
                    out.append(Candidate(claim, group, "lead_alone", feats))
            for obj in after:
                group = self._group()
                for m in before:
                    if (m.type in _GEO) != (obj.type in _GEO) or m.name == obj.name:
                        continue
                    if (m.name, relation, obj.name, None) in have:
                        continue
                    claim = ctx.claim("standing", m, 0.5, relation=relation, object=obj.name,
                                      object_type=obj.type, aspect=aspect)
                    place = Place(m, "same", first=m is pool[0])
                    feats = sentence.features(claim, place, (hit.start(), hit.end()), "compare")
                    feats.update(sentence.gap_features("obj", hit.end(), obj.start))
                    out.append(Candidate(claim, group, "compare", feats))
        return out


    def _enumerated(self, ctx: SentenceContext, sentence: _SentenceView, rules: list[Claim]) -> list[Candidate]:
        """Places handed out along a list: "A, B and C ranked seventh, eighth and ninth, respectively",
        "CATL stood first, Panasonic second", "the top applicant was X, followed by Y, Z".
        Each named entity with each place near it; features say which reading the layout supports."""
        out: list[Candidate] = []
        lower = ctx.lower
        ranked = "_rank_gate" in ctx.cues or "#" in ctx.text
        if not (ranked or "followed" in lower):
            return out
        places = _ordinals(ctx) if ranked else []
        follow = _FOLLOWED.search(ctx.text) if "followed" in lower else None
        if len(places) < 2 and not follow and "respectively" not in lower:
            return out
        pool = [m for m in ctx.candidates(SUBJECTS["standing"]) if not m.possessive]
        if not pool:
            return out
        have = {(c.subject, c.rank) for c in rules if c.relation == "ranks"}
        aspect = aspect_of(ctx)
        found: list[tuple[Mention, int, str, int]] = []  # (entity, rank, how, chars between)
        if "respectively" in lower and places:
            before = [m for m in pool if m.end <= places[0][1]]
            for m, (rank, start, _) in zip(before[-len(places):], places, strict=False):
                found.append((m, rank, "respectively", start - m.end))
        for rank, start, _ in places:
            near = [m for m in pool if m.end <= start and start - m.end <= 40]
            if near:
                m = near[-1]
                found.append((m, rank, "adjacent", start - m.end))
        if follow:
            first = [m for m in pool if m.end <= follow.start()]
            after = [m for m in pool if m.start >= follow.end()]
            kind = after[0].type if after else None
            after = [m for m in after if m.type == kind]
            top = 1 if (ctx.find("superlatives") or "top" in lower[: follow.start()]) else None
            if first and top:
                found.append((first[-1], top, "followed_leader", follow.start() - first[-1].end))
                for i, m in enumerate(after[:8]):
                    found.append((m, top + 1 + i, "followed", m.start - follow.end()))
        seen: set[tuple[str, int]] = set()
        for m, rank, how, gap in found:
            if (m.name, rank) in seen or (m.name, rank) in have:
                continue
            seen.add((m.name, rank))
            claim = ctx.claim("standing", m, 0.5, relation="ranks", rank=rank, aspect=aspect)
            feats = sentence.features(claim, Place(m, "same", first=m is pool[0]), (m.end, m.end), "enum")
            feats[f"enum:{how}"] = 1.0
            feats[f"enum_gap:{_bucket(gap, (0, 3, 10, 25, 60))}"] = 1.0
            feats[f"enum_places:{min(len(places), 4)}"] = 1.0
            out.append(Candidate(claim, self._group(), "enum", feats))
        return out


_READING_LISTS = frozenset({"membership_cues", "combined_cues", "group_count_words", "underway_cues", "stage_verbs"})
_MONEY_FLIP = {"funding": "investment", "investment": "funding"}
_ORDINALS: dict[int, tuple[dict[str, int], re.Pattern[str]]] = {}  # by lexicon
_FOLLOWED = re.compile(r"\bfollowed(?:[ \t]+(?:closely|in[ \t]+order|respectively))?[ \t]+by\b", re.IGNORECASE)


def _ordinals(ctx: SentenceContext) -> list[tuple[int, int, int]]:
    """Ordinals that can be places in a list: (rank, start, end). "first" before a noun ("the first cars")
    is left out: a place in a ranking stands alone or before a bracket, comma, "place" or the end."""
    compiled = _ORDINALS.get(id(ctx.lexicon))
    if compiled is None:
        table = {str(k).lower(): int(v) for k, v in ctx.lexicon.vocab.ordinals.items()}
        alt = "|".join(re.escape(w) for w in sorted((w for w in table if w != "top"), key=len, reverse=True))
        rx = re.compile(rf"(?<![\w])(?:#[ \t]?(?P<hash>\d{{1,2}})(?!\d|[.,]\d)|(?:(?P<word>{alt})(?![\w])"
                        r"(?=[ \t]*(?:\(|\)|,|;|\.|:|and\b|place|position|spot|largest|biggest|with|in\b|respectively|$)"
                        r"|-(?:placed|ranked|best|largest|biggest))))",
                        re.IGNORECASE)
        compiled = _ORDINALS[id(ctx.lexicon)] = (table, rx)
    table, rx = compiled
    out = []
    for match in rx.finditer(ctx.text):
        rank = int(match.group("hash")) if match.group("hash") else table.get(match.group("word").lower())
        if rank:
            out.append((rank, match.start(), match.end()))
    return out


def _combined_country(ctx: SentenceContext) -> Mention | None:
    """"The trio's combined share", "LG, SK and Samsung together": companies of one country summed read as
    the country. Their home country, when two or more companies named here share it."""
    if not ctx.has("combined_cues"):
        return None
    homes: dict[str, int] = {}
    for m in ctx.mentions:
        if m.type == "company" and m.country:
            homes[m.country] = homes.get(m.country, 0) + 1
    if not homes:
        return None
    country, count = max(homes.items(), key=lambda kv: kv[1])
    if count < 2 and not (count == 1 and ctx.has("group_count_words")):
        return None
    entry = ctx.extractor.entities.lookup(country)
    if entry is None:
        return None
    return Mention(0, 0, entry.name, entry.type, entry.country)


def _respectively(ctx: SentenceContext, placed: list[tuple[Candidate, Place]], anchor: tuple[int, int]) -> None:
    """"A, B and C hold 31%, 12% and 7% respectively": the n-th name takes the n-th figure."""
    figure = next((q for q in ctx.quantities if q.start == anchor[0]), None)
    if figure is None:
        return
    figures = [q for q in ctx.quantities if q.kind == figure.kind]
    first = figures[0].start
    names: list[str] = []
    for m in ctx.mentions:
        if m.candidate and not m.possessive and m.end <= first and m.name not in names:
            names.append(m.name)
    names = names[-len(figures):]
    want = figures.index(figure) - (len(figures) - len(names))
    for cand, place in placed:
        if place.where != "same" or place.mention is None:
            continue
        if place.mention.name in names:
            cand.extra["resp_aligned" if names.index(place.mention.name) == want else "resp_misaligned"] = 1.0


def _alt_features(sentence: _SentenceView, claim: Callable[[], Claim], place: Place,
                  anchor: tuple[int, int]) -> dict[str, float]:
    return sentence.features(claim(), place, anchor, "alt")


def _flip_features(sentence: _SentenceView, flipped: Claim, place: Place, anchor: tuple[int, int],
                   original: Candidate) -> dict[str, float]:
    feats = sentence.features(flipped, place, anchor, "alt")
    feats["kind_flipped"] = 1.0
    feats[f"kind_flipped|stype:{flipped.subject_type}"] = 1.0
    feats.update({k: v for k, v in original.extra.items() if k.startswith(("dist_rank", "nearest", "first_before"))})
    return feats


def _reached(placed: list[tuple[Candidate, Place]], places: list[Place], kind: str) -> None:
    """Mark each reading whose subject is also reached another way: a name of this sentence that a referring
    phrase ("the automaker's goal") or the document's focus points at as well is likelier the subject."""
    ways: dict[str, set[str]] = {}
    for place in places:
        if place.mention is not None:
            ways.setdefault(place.mention.name, set()).add(place.where[:4])
    for cand, place in placed:
        name = place.mention.name if place.mention is not None else cand.claim.subject
        for where in ways.get(name, ()):
            if where != place.where[:4] and where in ("coref", "focu", "prev"):
                cand.extra[f"also:{where}"] = 1.0
                cand.extra[f"{kind}|also:{where}"] = 1.0


def _relative(placed: list[tuple[Candidate, Place]], anchor: tuple[int, int]) -> None:
    """Features that compare the readings of one group: which subject is nearest the figure, before it,
    first in the sentence; a model scoring one candidate at a time cannot see its rivals otherwise."""
    a0, a1 = anchor
    here = [(c, p.mention) for c, p in placed if p.where == "same" and p.mention is not None]
    dist = sorted(here, key=lambda cm: abs((cm[1].end if cm[1].end <= a0 else cm[1].start) - (a0 if cm[1].end <= a0 else a1)))
    for rank, (cand, _) in enumerate(dist):
        cand.extra[f"dist_rank:{min(rank, 3)}"] = 1.0
        cand.extra[f"{cand.claim.kind}|dist_rank:{min(rank, 2)}"] = 1.0
    before = [cm for cm in here if cm[1].end <= a0]
    if before:
        max(before, key=lambda cm: cm[1].end)[0].extra["nearest_before"] = 1.0
        min(before, key=lambda cm: cm[1].start)[0].extra["first_before"] = 1.0
    if not before:
        for cand, place in placed:
            cand.extra[f"no_name_before|where:{place.where}"] = 1.0
    size = len(placed)
    for cand, _ in placed:
        cand.extra[f"group_size:{min(size, 6)}"] = 1.0


# Strong stage words only: the weak ones ("sales", "supply", "use") name a goal only in the rules' context.
# Words that can link two parties when no partnership cue is listed: "with", "from", "by", "-backed", "between".
_LINKS = re.compile(r"\b(?:with|from|by|between|among|including|includes|include|to)\b|-(?:backed|owned|funded)", re.IGNORECASE)
_TOP_N = re.compile(r"[ \t\-]+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\b", re.IGNORECASE)
# Relative years counted from another date, not from the document's ("a year earlier than the 2030 date").
_RELATIVE_TO_EVENT = re.compile(r"earlier|before|previous|prior|ago|later", re.IGNORECASE)


# A month, quarter, half or season with no year after it: the document's year.
_PERIOD = re.compile(
    r"(?<![\w])(?:later[ \t]+this[ \t]+(?:year|month)|(?:in|by|during|from|since|until|before|for)[ \t]+(?:the[ \t]+)?"
    r"(?:(?:first|second|third|fourth|last|final)[ \t]+(?:quarter|half)|Q[1-4]|H[12]|"
    r"(?:early|late|mid)[ \t\-]*(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)|January|February|March|April|June|July|August|September|October|November|December|"
    r"(?:this[ \t]+)?(?:spring|summer|autumn|fall|winter)))(?![ \t]*(?:of[ \t]+)?,?[ \t]*(?:\d|this|next|last|the))",
    re.IGNORECASE)


def _stage_of_verb(ctx: SentenceContext) -> tuple[str, str, int] | None:
    """The stage a verb names when no stage word does ("is testing" -> prototype), in the table's order."""
    named = {ctx.lexicon.label("stage_verbs", hit.group()) for hit in ctx.find("stage_verbs")}
    for stage in ctx.lexicon.vocab.stage_verbs:
        if stage in named:
            return stage, "verb", 0
    return None


def _extends_rule(a: str, b: str, ruled: dict[frozenset[str], Claim], listed: dict[str, set[str]]) -> bool:
    """Is (a, b) a rule pair with one party swapped for a name listed beside it?"""
    for x, y in ((a, b), (b, a)):
        if any(frozenset((x, z)) in ruled for z in listed.get(y, ()) if z != y):
            return True
    return False


_LIST_JOIN = re.compile(
    r"[*_]*[ \t]*(?:\([^()\n]{0,60}\)[ \t]*)?(?:,[ \t]*(?:and[ \t]+|or[ \t]+)?|(?:and|&|or|as[ \t]+well[ \t]+as)[ \t]+|/[ \t]*)"
    r"(?:(?:its|their)[ \t]+[\w\-]+[ \t]+(?:[\w\-]+[ \t]+)?)?[*_]*"
)


def name_lists(text: str, pool: list[Mention]) -> dict[int, list[Mention]]:
    """The lists of two or more names in ``pool``, keyed by ``id`` of each member: names joined by commas,
    "and", "or", "&" or a slash, a short aside in brackets allowed after each ("General Motors (GM), Ford")."""
    ordered = sorted(pool, key=lambda m: m.start)
    out: dict[int, list[Mention]] = {}
    run = ordered[:1]
    for prev, m in zip(ordered, ordered[1:], strict=False):
        if prev.end <= m.start and _LIST_JOIN.fullmatch(text, prev.end, m.start):
            run.append(m)
            continue
        if len(run) >= 2:
            out.update((id(x), run) for x in run)
        run = [m]
    if len(run) >= 2:
        out.update((id(x), run) for x in run)
    return out


def _is_group(m: Mention, heads: frozenset[str]) -> bool:
    return m.category == "association" or (not m.known and any(w in heads for w in m.name.split()))


def _likely_pairs(ctx: SentenceContext, pool: list[Mention],
                  lists: dict[int, list[Mention]]) -> list[tuple[Mention, Mention]]:
    """Pairs of names worth proposing, the likeliest partners first: a linking word between them before none,
    names outside one list before members of the same list, near before far. A long list of names would
    otherwise spend the budget on pairs of its own members: the first party's pairs across a linking word with
    names outside its list are all kept (up to ``MAX_LINKED_PAIRS``), the others only up to ``MAX_PAIRS`` in all."""
    links = [(h.start(), h.end()) for h in _LINKS.finditer(ctx.text)]
    links += [(h.start(), h.end()) for name in ("partnership_cues", "partnership_weak_cues") for h in ctx.find(name)]
    groups = {key: id(members[0]) for key, members in lists.items()}

    ordered = sorted(pool, key=lambda m: m.start)
    # the sentence's first party and those listed with it ("A and B supply C, D and E"): its pairs with the
    # names after it come before pairs inside a later list
    head = {id(m) for m in lists.get(id(ordered[0]), ordered[:1])} if ordered else set()

    def key(pair: tuple[Mention, Mention]) -> tuple[int, int, int, int]:
        a, b = pair
        linked = any(a.end <= s and e <= b.start for s, e in links)
        same_list = groups.get(id(a)) == groups.get(id(b)) and id(a) in groups
        headed = (id(a) in head) != (id(b) in head)
        return (0 if linked else 1, 0 if headed else 1, 1 if same_list else 0, b.start - a.end)

    ranked = sorted(((key(pair), pair) for pair in combinations(ordered, 2)), key=lambda kp: kp[0])
    strong = [pair for k, pair in ranked if k[:3] == (0, 0, 0)][:MAX_LINKED_PAIRS]
    rest = [pair for k, pair in ranked if k[:3] != (0, 0, 0)][: max(0, MAX_PAIRS - len(strong))]
    return strong + rest


def _stage_near(ctx: SentenceContext, start: int, end: int,
                tables: tuple[str, ...] = ("stages", "stages_vehicle")) -> tuple[str, str, int] | None:
    """The stage word nearest a year: (stage, table, distance)."""
    best: tuple[str, str, int] | None = None
    for table in tables:
        for hit in ctx.find(table):
            label = ctx.lexicon.label(table, hit.group())
            if not label:
                continue
            dist = start - hit.end() if hit.end() <= start else max(0, hit.start() - end)
            if best is None or dist < best[2]:
                best = (label, table, dist)
    return best


_CAPITAL_RUN = re.compile(r"(?<![\w\-])(?:[A-Z][\w\-&.]*[A-Za-z0-9&]|[A-Z])(?:[ \t]+(?:of[ \t]+|de[ \t]+|&[ \t]+)?"
                          r"(?:[A-Z][\w\-&.]*[A-Za-z0-9&]|[A-Z]))*")
_NOT_NAMES = frozenset("""The A An In On At As By For From With And Or But If It Its This That These Those
They We He She His Her Our Their Last Next This Jan Feb Mar Apr Jun
Jul Aug Sep Sept Oct Nov Dec EV EVs Li-ion CEO CTO CFO Mr Ms Dr Read Related Photo Source Update According
Chinese Japanese Korean American European German French British Solid-State Solid State Battery Batteries
All-Solid-State Group Series Phase Gen Wh GWh MWh kWh Inc Corp Ltd Co""".split()) | CALENDAR_WORDS


# Words that end the name of an organisation: a run that holds a place ("China National Space
# Administration", "University of Seoul") is an organisation when it ends with one of them.
_ORG_HEADS = frozenset("""Administration Agency Authority Institute Institution University Academy Ministry
Department Council Commission Laboratory Laboratories Lab Labs Center Centre Corporation Holdings Group Energy
Technology Technologies Motor Motors Capital Partners Fund Ventures Electric Electronics Chemical Chemicals
Materials Battery Batteries Power Industries Industry Association Alliance Platform Consortium""".split())
# Last words of a firm's name that "of" + a place may follow ("Foo Ventures of Boston"), unlike "University of".
_FIRM_ENDS = frozenset("""Investments Investment Ventures Partners Capital Holdings Technologies Systems Motors Energy
Materials Industries Electronics Chemicals Fund Funds Corporation Corp Inc Co Ltd LLC Solutions Labs""".split())
_BACKED = re.compile(r"(?<![\w\-])(?P<name>[A-Z][\w&.]{0,40}(?:[ \t][A-Z][\w&.]{0,40}){0,2})-(?:backed|owned|funded|controlled)\b")


def backers(ctx: SentenceContext) -> list[Mention]:
    """"Volkswagen-backed Gotion": the backer, which the entity finder skips as a modifier."""
    out = []
    for match in _BACKED.finditer(ctx.text):
        name = match.group("name")
        entry = ctx.extractor.entities.lookup(name)
        out.append(Mention(match.start(), match.start() + len(name), entry.name if entry else name,
                           entry.type if entry else "company", known=entry is not None, text=name))
    return out


def proper_nouns(ctx: SentenceContext) -> list[Mention]:
    """Capitalised names the gazetteer and the organisation finder missed ("Chiyoda Corp", "Tencent
    Holdings"): parties a deal may name, or payers of money; the model weighs them. Found once a sentence."""
    found: list[Mention] | None = ctx.__dict__.get("_proper_nouns")
    if found is None:
        found = ctx.__dict__["_proper_nouns"] = _proper_nouns(ctx)
    return found


_LEADING = " \t\r\n\"'“‘(*•-–—#>"
# An unknown name a writer describes as an organisation: "Foo Cells, a start-up ...", "the startup Foo".
_DESCRIBED_AFTER = re.compile(r",[ \t]+(?:a|an|the)[ \t]+")
_DESCRIBED_BEFORE = re.compile(
    r"\b(?:start-?up|company|firm|maker|developer|supplier|manufacturer|lab|laboratory|spin-?off|venture|fund|"
    r"investor|subsidiary|unit)[ \t]+$", re.IGNORECASE)
_SHORT_FORM = re.compile(r"[ \t]*\(([A-Z][A-Z0-9&]{1,7})\)")

# How the clause before a figure is told: a goal ("will", "plans to", "aims"), a past event ("became",
# "launched"), a state reached ("has begun"). Word classes rather than words, so that a verb the training
# text never used still reads as past or future; the model weighs them with the year against the document's.
_FUTURE = re.compile(r"\b(?:will|would|shall|'ll|going[ \t]+to|set[ \t]+to|plan(?:s|ned|ning)?|aim(?:s|ed|ing)?|"
                     r"target(?:s|ed|ing)?|expect(?:s|ed|ing)?|intend(?:s|ed|ing)?|hope(?:s|d)?|seek(?:s|ing)?|"
                     r"slated|scheduled|on[ \t]+track|could|may|might|eye(?:s|ing)?|envisions?|goal|ambition|"
                     r"roadmap|timeline|strive(?:s)?|commit(?:s|ted)?[ \t]+to|by)\b", re.IGNORECASE)
_PERFECT_AUX = re.compile(r"\b(?:has|have|had)[ \t]+(?:already[ \t]+|now[ \t]+|just[ \t]+)?\w+(?:ed|en|un|wn|ilt|ade|ught)\b",
                          re.IGNORECASE)
_PAST = re.compile(r"\b(?:was|were|became|began|built|made|won|took|sold|rose|fell|grew|held|led|brought|"
                   r"spent|raised|opened|launched|started|unveiled|completed|delivered|shipped|"
                   r"produced|achieved|reached|introduced|commercialized|commercialised|released|installed|"
                   r"signed|announced|acquired|invested|founded|established|ago|last[ \t]+year|since|"
                   r"[a-z]{3,}ed)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[.;:!?]|,[ \t]+(?:and|but|while|which|who|as)\b|\b(?:while|whereas|but)\b")


def tense_features(text: str, anchor: int, kind: str) -> dict[str, float]:
    """The tense classes of the clause that leads to the figure at ``anchor`` (the last one found wins)."""
    lo = max(0, anchor - 120)
    starts = [m.end() for m in _CLAUSE_START.finditer(text, lo, anchor)]
    clause = text[starts[-1] if starts else lo : anchor]
    found = []
    for label, pattern in (("future", _FUTURE), ("perfect", _PERFECT_AUX), ("past", _PAST)):
        ends = [m.end() for m in pattern.finditer(clause)]
        if ends:
            found.append((ends[-1], label))
    if not found:
        return {f"{kind}|tense:none": 1.0}
    f = {f"{kind}|tense_has:{label}": 1.0 for _, label in found}
    f[f"{kind}|tense:{max(found)[1]}"] = 1.0
    return f


def _proper_nouns(ctx: SentenceContext) -> list[Mention]:
    places = {"country", "region"}
    known = [(m.start, m.end) for m in ctx.mentions]
    holding_place = [(m.start, m.end) for m in ctx.mentions if m.type in places or m.type == "place"]
    suffixes = ctx.extractor.entities.suffixes
    out = []
    short_forms = ctx.state.short_forms
    for m in ctx.mentions:  # a known name defining a short form: "General Motors (GM)", "SolidEnergy Systems (SES)"
        if m.candidate and (short := _SHORT_FORM.match(ctx.text, m.end)) and short.group(1) != m.text:
            short_forms.setdefault(short.group(1), m.name)
    for match in _CAPITAL_RUN.finditer(ctx.text):
        words = match.group().split()
        if len(words) == 1 and words[0] in short_forms and not ctx.extractor.entities.lookup(words[0]):
            name = short_forms[words[0]]  # "CGVC previously invested ...": the name the document spelled out
            out.append(Mention(match.start(), match.end(), name, "company", known=False, text=words[0]))
            continue
        while words and words[0] in _NOT_NAMES:
            words.pop(0)
        if "of" in words[2:]:
            # "Clear Creek Investments of Solana Beach": a firm named with its home town, not one long name
            cut = words.index("of", 2)
            if words[cut - 1] in _FIRM_ENDS:
                words = words[:cut]
        while (words and words[-1] in _NOT_NAMES and words[-1] not in suffixes
               and not (len(words) > 1 and words[-1] in _ORG_HEADS)):  # "Capricorn Investment Group" keeps "Group"
            words.pop()
        if not words or len(words) == 1 and (not ctx.text[: match.start()].strip(_LEADING)
                                             or words[0].endswith("ly") and ctx.text.startswith(",", match.end())):
            continue  # a lone capitalised first word is usually just the sentence's first word ("Recently,")
        start = ctx.text.find(words[0], match.start())
        end = start + len(" ".join(words))
        overlaps = [(s_, e_) for s_, e_ in known if s_ < end and start < e_]
        if overlaps and not (words[-1] in _ORG_HEADS and len(words) > 1
                             and all(o in holding_place and (start, end) != o for o in overlaps)):
            continue
        name = " ".join(words)
        for suffix in suffixes:
            if name.endswith(" " + suffix):
                name = name[: -len(suffix) - 1].rstrip(" ,")
        if len(name) < 3 or name.isupper() and len(name) < 3 or name in _NOT_NAMES:
            continue
        if (short := _SHORT_FORM.match(ctx.text, end)) and short.group(1)[0] == name[0]:
            short_forms.setdefault(short.group(1), name)
        out.append(Mention(start, end, name, "company", known=False, text=ctx.text[start:end]))
    return out


class _SentenceView:
    """Feature extraction over one sentence, computed lazily and shared by its candidates."""

    def __init__(self, ctx: SentenceContext) -> None:
        self.ctx = ctx
        self.text = ctx.text

    @cached_property
    def base(self) -> dict[str, float]:
        """Features of the sentence, shared by all its candidates."""
        ctx = self.ctx
        base = {f"cue:{n}": 1.0 for n, hits in ctx.cues.items() if hits and n not in _READING_LISTS}
        if ctx.text.rstrip().endswith("?"):
            base["question"] = 1.0
        if ctx.table_row:
            base["table_row"] = 1.0
        if ctx.index == 0:
            base["first_sentence"] = 1.0
        base[f"n_mentions:{min(len([m for m in ctx.mentions if m.candidate]), 5)}"] = 1.0
        base[f"length:{_bucket(len(ctx.text), (80, 160, 300, 600))}"] = 1.0
        return base

    def words(self, start: int, end: int, limit: int) -> list[str]:
        """``_words`` of text[start:end], once per span (a sentence's candidates share subjects and anchors)."""
        cache = self.__dict__.setdefault("_words", {})
        key = (start, end, limit)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _words(self.text[start:end], limit)
        return found

    @cached_property
    def cue_spans(self) -> list[tuple[int, int, str]]:
        """Where the sentence's cues are, by start: what a gap between a claim's parts may hold (the lists the
        readings themselves consult are not cues of the claim)."""
        return sorted((h.start(), h.end(), name) for name, hits in self.ctx.cues.items()
                      if name not in _READING_LISTS for h in hits)

    @cached_property
    def salience(self) -> dict[str, int]:
        """How much the document has talked about each entity so far (news is mostly about one or two):
        the rank of each name by the number of sentences naming it, this one included."""
        counts: dict[str, int] = {}
        for m in [m for _, m in self.ctx.state.memory.history] + [m for m in self.ctx.mentions if m.candidate]:
            counts[m.name] = counts.get(m.name, 0) + 1
        return {name: rank for rank, name in enumerate(sorted(counts, key=lambda n: -counts[n]))}

    @cached_property
    def first_named(self) -> str | None:
        named = [m for _, m in self.ctx.state.memory.history] or [m for m in self.ctx.mentions if m.candidate]
        return named[0].name if named else None

    def object_position(self, m: Mention) -> bool:
        """``ctx.is_object_position``, once per mention (several candidates share a subject)."""
        cache = self.__dict__.setdefault("_objects", {})
        if id(m) not in cache:
            cache[id(m)] = self.ctx.is_object_position(m)
        return cache[id(m)]

    def list_of(self, m: Mention) -> list[Mention]:
        """The names listed with ``m`` ("CATL, CALB and EVE Energy"), once per mention."""
        cache = self.__dict__.setdefault("_lists", {})
        if id(m) not in cache:
            cache[id(m)] = self.ctx.coordinated(m, [x for x in self.ctx.mentions if x.candidate])
        return cache[id(m)]

    def place_of(self, name: str) -> Place | None:
        pool = [m for m in self.ctx.mentions if m.candidate]
        for i, m in enumerate(pool):
            if m.name == name:
                return Place(m, "same", first=i == 0)
        return None

    def anchor(self, claim: Claim) -> tuple[int, int]:
        """Where the claim's figure sits in the sentence: its number, its year, or its cue."""
        ctx = self.ctx
        if claim.kind == "target":
            for ref in ctx.years:
                if ref.year == claim.year:
                    return ref.start, ref.end
        elif claim.kind in ("funding", "investment"):
            for q in ctx.quantities:
                if q.kind == "money" and q.amount == claim.amount:
                    return q.start, q.end
        elif claim.kind == "standing":
            if ctx.rank_hits:
                return ctx.rank_hits[0].start, ctx.rank_hits[0].end
            hits = ctx.find("standing")
            if hits:
                return hits[0].start(), hits[0].end()
        elif claim.value is not None:
            for q in ctx.quantities:
                if q.value == claim.value:
                    return q.start, q.end
        return 0, 0

    def tense(self, kind: str, anchor: int) -> dict[str, float]:
        """``tense_features`` once per figure and kind (a group's readings share their figure)."""
        cache = self.__dict__.setdefault("_tenses", {})
        key = (kind, anchor)
        if key not in cache:
            cache[key] = tense_features(self.text, anchor, kind)
        return cache[key]

    def gap_features(self, prefix: str, a: int, b: int) -> dict[str, float]:
        lo, hi = (a, b) if a <= b else (b, a)
        gap = self.text[lo:hi]
        feats = {f"{prefix}_gap:{w}": 1.0 for w in self.words(lo, hi, 8)} if "gap" in LEXICAL else {}
        feats[f"{prefix}_dist:{_bucket(hi - lo)}"] = 1.0
        between = sum(1 for m in self.ctx.mentions if m.candidate and lo <= m.start and m.end <= hi)
        feats[f"{prefix}_names_between:{min(between, 3)}"] = 1.0
        for start, end, name in self.cue_spans:
            if start > hi:
                break
            if lo <= start and end <= hi:
                feats[f"{prefix}_gap_cue:{name}"] = 1.0
        if self.ctx.rank_hits and any(lo <= h.start and h.end <= hi for h in self.ctx.rank_hits):
            feats[f"{prefix}_gap_rank"] = 1.0
        if "," in gap:
            feats[f"{prefix}_gap_comma"] = 1.0
        if ";" in gap or " while " in gap or " whereas " in gap:
            feats[f"{prefix}_gap_clause"] = 1.0
        return feats

    def features(self, claim: Claim, place: Place, anchor: tuple[int, int], source: str) -> dict[str, float]:
        kind = claim.kind
        f = dict(self.base)
        f[f"kind:{kind}"] = 1.0
        f[f"source:{source}"] = 1.0
        f[f"{kind}|source:{source}"] = 1.0
        f[f"where:{place.where}"] = 1.0
        f[f"{kind}|where:{place.where}"] = 1.0
        f[f"stype:{claim.subject_type}"] = 1.0
        f[f"{kind}|stype:{claim.subject_type}"] = 1.0
        f[f"bound:{claim.bound}"] = 1.0
        f[f"conf:{round(claim.confidence, 1)}"] = 1.0
        for name in ("stage", "segment", "metric", "relation", "aspect", "technology"):
            value = getattr(claim, name)
            if value:
                f[f"{name}:{value}"] = 1.0
        if claim.year is not None and self.ctx.state.year is not None:
            f[f"{kind}|year_vs_doc:{max(-3, min(3, claim.year - self.ctx.state.year))}"] = 1.0
        elif claim.year is not None:
            f[f"{kind}|undated_document"] = 1.0
        if anchor[1] > 0:
            f.update(self.tense(kind, anchor[0]))
        m = place.mention
        if place.first:
            f["first_mention"] = 1.0
        rank = self.salience.get(claim.subject)
        f[f"salience:{'new' if rank is None else min(rank, 3)}"] = 1.0
        f[f"{kind}|salience:{'new' if rank is None else min(rank, 2)}"] = 1.0
        if claim.subject == self.first_named:
            f["first_named_in_document"] = 1.0
        if m is None:
            return f
        f[f"{kind}|scat:{m.category or 'none'}"] = 1.0
        if not m.known:
            f["unknown_entity"] = 1.0
        if m.group:
            f["group_demonym"] = 1.0
        if place.where != "same":
            return f
        a0, a1 = anchor
        if m.possessive:
            f["possessive"] = 1.0
        if self.object_position(m):
            f["object_position"] = 1.0
            f[f"{kind}|object_position"] = 1.0
        side = "before" if m.end <= a0 else "after"
        f[f"side:{side}"] = 1.0
        f[f"{kind}|side:{side}"] = 1.0
        f.update(self.gap_features("subj", m.end if side == "before" else a1, a0 if side == "before" else m.start))
        if "context" in LEXICAL:
            for w in self.words(max(0, m.start - 30), m.start, 8)[-3:]:
                f[f"subj_pre:{w}"] = 1.0
        if "anchor" in LEXICAL:
            for w in self.words(max(0, a0 - 30), a0, 8)[-2:]:
                f[f"{kind}|anchor_pre:{w}"] = 1.0
            for w in self.words(a1, a1 + 30, 2):
                f[f"{kind}|anchor_post:{w}"] = 1.0
        return f

    def pair_features(self, a: Mention | None, b: Mention | None, where: str, rule: bool,
                      lists: dict[int, list[Mention]] | None = None) -> dict[str, float]:
        f = dict(self.base)
        f["kind:partnership"] = 1.0
        f[f"partnership|where:{where}"] = 1.0
        f["partnership|rule" if rule else "partnership|new"] = 1.0
        if a is None or b is None:
            return f
        f[f"pair_types:{'-'.join(sorted((a.type, b.type)))}"] = 1.0
        f[f"pair_cats:{'-'.join(sorted((a.category or 'none', b.category or 'none')))}"] = 1.0
        if a.country and b.country:
            f["pair_same_country" if a.country == b.country else "pair_other_country"] = 1.0
        if not (a.known and b.known):
            f["pair_unknown"] = 1.0
            for m in (a, b):
                if not m.known:
                    # what kind of unknown name: an organisation's head word or a company suffix in the text
                    # ("China National Space Administration", "Chiyoda Corp") or a bare capitalised word
                    words = m.text.split()
                    shape = ("org_head" if words and words[-1] in _ORG_HEADS else
                             "suffix" if m.text != m.name else "multi" if len(words) > 1 else "single")
                    f[f"pair_unknown_shape:{shape}"] = 1.0
                    if _DESCRIBED_AFTER.match(self.text, m.end) or _DESCRIBED_BEFORE.search(self.text, 0, m.start):
                        f["pair_unknown_described"] = 1.0  # "Kestrel Ionics, a lab spun out of ...", "startup Foo"
        if where == "coref" and a.end > a.start:
            first, second = (a, b) if a.start <= b.start else (b, a)
            f.update(self._ordered_pair_features(first, second, "coref_pair"))
        if where == "same":
            # a party inside a list ("supplies GM, Ford, Renault and Volvo") is read as the list: the words
            # between the two lists, not the names of the list before it, say whether the two are partners
            la, lb = (lists or {}).get(id(a)), (lists or {}).get(id(b))
            end, start = a.end, b.start
            if la is not lb:
                if la is not None and a.start < b.start:
                    end = la[-1].end
                if lb is not None and a.start < b.start:
                    start = lb[0].start
                if lb is not None and b is not lb[0]:
                    f[f"pair_list_member:{min(lb.index(b), 3)}"] = 1.0
                if la is not None and a is not la[0]:
                    f["pair_a_list_member"] = 1.0
            f.update(self._words_around(a, b, "pair", (end, max(start, end)), last_words=False))
            if self.object_position(a):
                f["pair_first_object"] = 1.0
            if self.ctx.coordinated(a, [a, b]) == [a, b]:
                f["pair_coordinated"] = 1.0
            group = self.list_of(a)
            if b in group and len(group) >= 3 and not rule:  # the rules read a list's joint deal themselves
                f["pair_in_list"] = 1.0  # "CATL, CALB, EVE Energy and SVOLT": members of a list, not partners
            cues = self.ctx.find("partnership_cues")
            if any(a.end <= c.start() and c.end() <= b.start for c in cues):
                f["pair_cue_between"] = 1.0
            elif cues:
                f["pair_cue_outside"] = 1.0
        return f

    def _ordered_pair_features(self, first: Mention, second: Mention, prefix: str) -> dict[str, float]:
        """The words between and around two parties in sentence order (one may be a referring phrase)."""
        f = self._words_around(first, second, prefix, (first.end, max(second.start, first.end)), last_words=True)
        cues = self.ctx.find("partnership_cues")
        if any(first.end <= c.start() and c.end() <= second.start for c in cues):
            f[f"{prefix}_cue_between"] = 1.0
        return f

    def _words_around(self, first: Mention, second: Mention, prefix: str, gap: tuple[int, int], *,
                      last_words: bool) -> dict[str, float]:
        """The gap's features, with its last three words ("a round led by" Ford) when asked, and the words
        before the first party and after the second."""
        f = self.gap_features(prefix, *gap)
        if last_words and "gap" in LEXICAL:
            for w in self.words(gap[0], gap[1], 40)[-3:]:
                f[f"{prefix}_last:{w}"] = 1.0
        if "context" in LEXICAL:
            for w in self.words(max(0, first.start - 30), first.start, 8)[-3:]:
                f[f"{prefix}_pre:{w}"] = 1.0
            for w in self.words(second.end, second.end + 30, 3):
                f[f"{prefix}_post:{w}"] = 1.0
        return f
