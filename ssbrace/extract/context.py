"""What a claim component sees of one sentence: its text, entities, figures, years, and the document.

Subject attachment lives here because every kind needs it: the entity a figure is about is the nearest
compatible entity before it (a possessive right before the figure wins; entities after "ahead of",
"behind", "than"... are objects, not subjects), else one after it, else the entity a referring phrase
("the company", "it") points at; coordinated subjects ("Toyota and Idemitsu") are expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from ssbrace.extract.coref import CorefMemory
from ssbrace.extract.cues import Cue
from ssbrace.extract.entities import Mention
from ssbrace.extract.quantities import Quantity, YearRef
from ssbrace.extract.ranks import RankHit
from ssbrace.models import Claim, Evidence

if TYPE_CHECKING:
    from ssbrace.extract.pipeline import Extractor

# Words before an entity that make it an object of comparison or a recipient, not the subject.
_OBJECT_BEFORE = re.compile(
    r"(?:ahead of|behind|than|unlike|like|versus|vs\.?|over|outside|excluding|except|across|within|beyond|trailing|overtaking|overtook|surpassing|surpassed|"
    r"after|to|for|from|into|in|with|(?<!followed[ \t])by|including|such as|and rivals?|rivals?|against|outpacing|followed by|"
    r"beating|beat|beats|trails|trailed|lags|leads|led|(?:north|south|east|west)(?:east|west)?(?:ern)?[ \t]+of)"
    r"[ \t]+(?:the[ \t]+|its[ \t]+|rival[ \t]+)?$",
    re.IGNORECASE,
)
_COORD = re.compile(
    r"^[*_]*(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&|as well as|together with|along with)[ \t]+"
    r"(?:(?:its|their)[ \t]+[\w\-]+[ \t]+(?:[\w\-]+[ \t]+)?)?)[*_]*$"
)
_ASIDE = re.compile(r",[ \t]*(?:whose|which|who|where|a|an|its|the)\b[^,;]{0,90}(?:,|$)", re.IGNORECASE)
_ATTACHED = re.compile(
    r"^[*_]*[ \t]*+(?:'s|’s)?[ \t]*+(?:with|on|at|had|has|holds|held|:|-|–|—|\(|\|)[ \t]*+(?:about|around|roughly|some|"
    r"over|more than|nearly|almost|just|only)?[ \t]*$",
    re.IGNORECASE,
)
# Verbs of using or buying before a possessive ("will use Acme's cells", "based on Acme's technology").
_USES_BEFORE = re.compile(
    r"(?<![\w])(?:use|uses|using|used|based[ \t]+on|running[ \t]+on|runs?[ \t]+on|powered[ \t]+by|fitted[ \t]+with|"
    r"equipped[ \t]+with|adopt|adopts|adopting|adopted|license|licenses|licensing|licensed|buy|buys|buying|bought|"
    r"source|sources|sourcing|sourced)[ \t]+(?:the[ \t]+)?$",
    re.IGNORECASE,
)
# "the world's largest battery maker", "Japan's biggest carmaker": a place scoping a superlative, not the
# subject ("Acme's largest shareholder" is a relation, so companies keep theirs).
_SCOPE_AFTER = re.compile(
    r"(?:'s|’s)?[ \t]+(?:largest|biggest|top|leading|no\.[ \t]*\d|number[ \t]+(?:one|two|three)|second[\- ]largest|"
    r"third[\- ]largest|second[\- ]biggest|most[ \t]+valuable|oldest)\b",
    re.IGNORECASE,
)
SUBJECT_TYPES = {"company", "country", "region", "program", "institution"}
# A full date at the head of the first sentence: the document's own date.
_OWN_DATE = re.compile(r"[^\n]{0,12}?(?<!\d)(?:19|20)\d\d-\d\d-\d\d\b")


@dataclass
class DocState:
    """What the pipeline knows about the document while it walks its sentences."""

    doc: str
    published: date | None
    memory: CorefMemory = field(default_factory=CorefMemory)
    # Index of the last sentence about market shares: a table or a follow-up sentence inherits the topic.
    share_topic: int = -10
    patent_topic: int = -10
    # short forms the document defined ("Koch Disruptive Technologies (KDT)"): KDT -> the name it stands for
    short_forms: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None


@dataclass
class Subject:
    """A resolved subject: the entities (several when coordinated) and how sure we are."""

    mentions: list[Mention]
    confidence: float
    position: int


@dataclass
class SentenceContext:
    """One sentence as the claim components see it."""

    text: str
    start: int
    end: int
    index: int
    mentions: list[Mention]
    state: DocState
    extractor: Extractor

    @cached_property
    def quantities(self) -> list[Quantity]:
        return self.extractor.quantities.find(self.text, self.cues)

    @cached_property
    def years(self) -> list[YearRef]:
        # "date 2023-10-12" heading an excerpt, "Sept 6, 2024 - (JCN Newswire)": the page's own date, not a year
        # the text talks about
        return [r for r in self.extractor.quantities.find_years(self.text, self.state.published, self.cues)
                if not _OWN_DATE.match(self.text, max(0, r.start - 12)) or self.index > 0]

    @cached_property
    def rank_hits(self) -> list[RankHit]:
        """Ranks stated in the sentence ("ranks second", "third place"), found once."""
        return self.extractor.ranks.find_all(self.text, self.cues)

    @cached_property
    def table_row(self) -> bool:
        """A numbered list item or a table row ("1. CATL 36.8%", "| BYD | 15.8% |")."""
        return self.extractor.is_table_row(self.text)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def has_technology(self) -> bool:
        return self.technology() is not None

    @property
    def lexicon(self):
        return self.extractor.lexicon

    @cached_property
    def cues(self) -> dict[str, list[Cue]]:
        """The hits of every indexed cue list, from one scan of the sentence."""
        return self.extractor.cues.scan(self.text, self.lower)

    def find(self, name: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """The phrases of vocabulary list or table ``name`` in the sentence (or within text[start:end])."""
        found = self.cues.get(name)
        if found is None:
            if name in self.extractor.cues:
                found = []
            else:
                rx = self.lexicon.table(name)[0] if self.lexicon.vocab.is_table(name) else self.lexicon.rx(name)
                found = [Cue(m.start(), m.end(), m.group()) for m in rx.finditer(self.text)]
            self.cues[name] = found
        if start or end is not None:
            stop = len(self.text) if end is None else end
            return [c for c in found if start <= c.start() and c.end() <= stop]
        return found

    def has(self, name: str, start: int = 0, end: int | None = None) -> bool:
        """Does vocabulary list ``name`` occur in the sentence (or within text[start:end])?"""
        return bool(self.find(name, start, end))

    def candidates(self, types: set[str]) -> list[Mention]:
        """Mentions that can be a subject of one of ``types`` (worked out once per set of types and shared by
        every caller: read it, never change it)."""
        known: dict[frozenset[str], list[Mention]] = self.__dict__.setdefault("_candidates", {})
        key = frozenset(types)
        found = known.get(key)
        if found is None:
            barred = self.lexicon.vocab.non_subject_institution_categories
            found = known[key] = [m for m in self.mentions if m.candidate and m.type in types
                                  and not (m.type == "institution" and m.category in barred)
                                  and not (m.possessive and m.type != "company"
                                           and _SCOPE_AFTER.match(self.text, m.end, m.end + 40))]
        return found

    def is_object_position(self, mention: Mention) -> bool:
        """Is the mention governed by a preposition or comparison ("ahead of X", "with X", "led by X and Y")?"""
        known: dict[tuple[int, int], bool] = self.__dict__.setdefault("_object_position", {})
        key = (mention.start, mention.end)
        if key not in known:
            known[key] = self._is_object_position(mention)
        return known[key]

    def _is_object_position(self, mention: Mention) -> bool:
        if _OBJECT_BEFORE.search(self.text, max(0, mention.start - 24), mention.start) is not None:
            return True
        group = self.coordinated(mention, [m for m in self.mentions if m.candidate])
        first = group[0]
        return first is not mention and _OBJECT_BEFORE.search(self.text, max(0, first.start - 24), first.start) is not None

    def coordinated(self, mention: Mention, pool: list[Mention]) -> list[Mention]:
        """The mention and those joined to it by "and", "&" or commas ("Toyota and Idemitsu")."""
        group = [mention]
        ordered = sorted(pool, key=lambda m: m.start)
        idx = ordered.index(mention) if mention in ordered else -1
        if idx < 0:
            return group
        k = idx
        while k + 1 < len(ordered) and _COORD.match(self.text[ordered[k].end : ordered[k + 1].start]):
            group.append(ordered[k + 1])
            k += 1
        k = idx
        while k - 1 >= 0 and _COORD.match(self.text[ordered[k - 1].end : ordered[k].start]):
            group.insert(0, ordered[k - 1])
            k -= 1
        return group

    def subject(self, position: int, types: set[str], *, expand: bool = False, allow_after: bool = True,
                allow_coref: bool = True, focus: bool = False) -> Subject | None:
        """The entity a figure at ``position`` is about (see the module docstring)."""
        pool = self.candidates(types)
        asides = [(a.start(), a.end()) for a in _ASIDE.finditer(self.text)]
        best: tuple[float, Mention] | None = None
        for m in pool:
            aside = any(s < m.start < e and not s < position < e for s, e in asides)
            if m.end <= position:
                gap = self.text[m.end : position]
                score = float(position - m.end)
                owns_company = any(o is not m and o.type == "company" and 0 <= o.start - m.end <= 4 for o in pool)
                used = m.possessive and _USES_BEFORE.search(self.text, max(0, m.start - 30), m.start) is not None
                if used:
                    score += 120  # "Acme will use Borealis's cells": the owner of what is used is not the subject
                elif m.possessive and position - m.end < 40 and not re.search(r"[,;]", gap) and not owns_company:
                    score -= 400
                elif _ATTACHED.match(gap):
                    score -= 300  # "Borduria with 3,225", "Panasonic (445)", "CATL - 36.8%": the figure is its
                if self.is_object_position(m):
                    score += 120
            elif allow_after:
                score = 60.0 + 2 * (m.start - position)
                if self.is_object_position(m):
                    score += 120
            else:
                continue
            if aside:
                score += 100  # ", whose largest shareholder is Volkswagen,": an aside, not the subject
            if best is None or score < best[0]:
                best = (score, m)
        if best is not None and best[1].start > position and allow_coref:
            resolved = self.extractor.coref.resolve(self.text, self.index, self.state.memory, types, self.mentions)
            if resolved and (resolved[1] < position or best[0] >= 120):
                group, pos = resolved
                return Subject(group if expand else group[:1], 0.6, pos)
        weak = best is not None and best[1].start < position and (
            _USES_BEFORE.search(self.text, max(0, best[1].start - 30), best[1].start) is not None
            if best[1].possessive else self.is_object_position(best[1]))
        if best is not None and weak and allow_coref:
            # "it signed a deal that lets it build cells based on Acme's technology, with 40 GWh a year":
            # the owner of what is used is weak; a referring phrase before it is the subject
            resolved = self.extractor.coref.resolve(self.text, self.index, self.state.memory, types, self.mentions)
            if resolved and resolved[1] < position and resolved[0][0].name != best[1].name:
                group, pos = resolved
                return Subject(group if expand else group[:1], 0.55, pos)
        if best is not None and best[1].start > position and focus and best[0] >= 120:
            recent = self.state.memory.focus(types)
            if recent is not None and recent.name != best[1].name:
                return Subject([recent], 0.45, 0)  # "...and go into Nio's pack": an object; the topic is the subject
        if best is not None:
            chosen = best[1]
            group = self.coordinated(chosen, pool) if expand else [chosen]
            confidence = 0.85 if chosen.start < position else 0.7
            if chosen.type == "company" and not chosen.known:
                confidence -= 0.1
            return Subject(group, confidence, chosen.start)
        if not allow_coref:
            return None
        resolved = self.extractor.coref.resolve(self.text, self.index, self.state.memory, types, self.mentions)
        if resolved:
            group, pos = resolved
            return Subject(group if expand else group[:1], 0.6, pos)
        if focus and not pool:
            # "The first phase is sized at 0.8 GWh", "Output: 25 GWh/yr": no name, so the entity in focus
            # (a company first: a plant or a line belongs to a firm more often than to the country it is in)
            recent = self.state.memory.focus(types & {"company"}) if "company" in types else None
            recent = recent or self.state.memory.focus(types)
            if recent is not None:
                return Subject([recent], 0.45, 0)
        return None

    def claim(self, kind: str, subject: Mention, confidence: float, **fields: object) -> Claim:
        """A claim on this sentence's evidence."""
        return Claim(
            kind=kind,
            subject=subject.name,
            subject_type=subject.type if subject.type in SUBJECT_TYPES else "company",
            evidence=Evidence(self.text, self.start, self.end),
            confidence=round(max(0.05, min(1.0, confidence)), 2),
            doc=self.state.doc,
            **fields,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------- shared helpers for kinds
    def technology(self) -> str | None:
        """The most specific technology the sentence names."""
        labels = []
        for hit in self.find("technologies"):
            label = self.lexicon.label("technologies", hit.group())
            if label:
                labels.append(label)
        if not labels:
            return None
        order = list(self.lexicon.vocab.technologies.keys())
        return min(labels, key=lambda lab: order.index(lab) if lab in order else 99)

    def year_near(self, position: int, end: int | None = None, *, after_only: bool = False) -> YearRef | None:
        """The year closest to a figure: right after it ("33% in 2021", "(2024)") or before it."""
        end = position if end is None else end
        best: tuple[float, YearRef] | None = None
        for ref in self.years:
            if ref.start >= end:
                dist = float(ref.start - end)
            elif after_only:
                continue
            else:
                dist = float(position - ref.end) * 1.5 + 5
            if best is None or dist < best[0]:
                best = (dist, ref)
        return best[1] if best else None

    def rank(self) -> int | None:
        """A rank stated in the sentence ("ranks second", "third place", "No. 2")."""
        return self.rank_hits[0].rank if self.rank_hits else None
