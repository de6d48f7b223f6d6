"""Coreference across sentences: "the company", "it", "the Japanese firm" -> the last compatible entity.

Reporters name a company once, then call it "the company" or "it". We remember, per entity type, the
entities each sentence was about (its first mention of that type: usually the grammatical subject) and
resolve a referring phrase to the most recent one; "the Japanese firm" prefers a company of that country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ssbrace.extract.entities import Mention
from ssbrace.extract.lexicon import Lexicon, compile_phrases

# "the carmaker" prefers the last automaker, "the startup" the last start-up.
_CATEGORY_WORDS = {"automaker": "automaker", "carmaker": "automaker", "car maker": "automaker", "ev maker": "automaker",
                   "battery maker": "cell_maker", "cell maker": "cell_maker", "battery supplier": "cell_maker",
                   "startup": "startup", "start-up": "startup", "chemical": "materials", "refiner": "materials"}
# How many sentences back a referring phrase may reach.
MAX_DISTANCE = 6


@dataclass
class CorefMemory:
    """Entities recently talked about, most recent last."""

    history: list[tuple[int, Mention]] = field(default_factory=list)
    last_group: list[Mention] = field(default_factory=list)
    last_group_sentence: int = -1
    # The first entity of each type the document named (kept when old history is trimmed).
    firsts: dict[str, Mention] = field(default_factory=dict)

    def remember(self, index: int, mentions: list[Mention]) -> None:
        """Record the candidate mentions of sentence ``index`` (first of each type first)."""
        seen: set[str] = set()
        for m in mentions:
            if not m.candidate or m.name in seen:
                continue
            seen.add(m.name)
            self.history.append((index, m))
            self.firsts.setdefault(m.type, m)
        if len(self.history) > 400:
            del self.history[:-300]

    def focus(self, types: set[str]) -> Mention | None:
        """The entity the document is about so far: the most mentioned one of ``types`` (latest on ties)."""
        counts: dict[str, int] = {}
        last: dict[str, Mention] = {}
        for _, mention in self.history:
            if mention.type in types:
                counts[mention.name] = counts.get(mention.name, 0) + 1
                last[mention.name] = mention
        if not counts:
            return None
        order = {name: i for i, (_, m) in enumerate(self.history) for name in [m.name]}
        best = max(counts, key=lambda name: (counts[name], order.get(name, 0)))
        return last[best]

    def first(self, types: set[str]) -> Mention | None:
        """The first entity of ``types`` the document named (its headline's subject, usually)."""
        return next((m for t, m in self.firsts.items() if t in types), None)

    def remember_group(self, index: int, group: list[Mention]) -> None:
        if len(group) > 1:
            self.last_group = list(group)
            self.last_group_sentence = index

    def recent(self, index: int, types: set[str], country: str | None = None,
               category: str | None = None) -> Mention | None:
        """The most recent entity of one of ``types`` (of ``country``/``category`` when given) within reach."""
        best_sentence = None
        choice: Mention | None = None
        for sent_index, mention in reversed(self.history):
            if index - sent_index > MAX_DISTANCE:
                break
            if mention.type not in types:
                continue
            if country is not None and mention.country != country and mention.name != country:
                continue
            if category is not None and mention.category != category:
                continue
            if best_sentence is None:
                best_sentence = sent_index
            if sent_index != best_sentence:
                break
            choice = mention  # keep walking back: the first mention in that sentence wins
        return choice


class Coreference:
    """Finds referring phrases in a sentence and resolves them against a ``CorefMemory``."""

    def __init__(self, lexicon: Lexicon) -> None:
        coref = lexicon.vocab.coref
        self.company_rx = compile_phrases([p for p in coref.get("company", []) if p.lower() not in {"it", "its", "itself"}])
        self.country_rx = compile_phrases(coref.get("country", []))
        pronouns = lexicon.vocab.ambiguous_pronouns or ["it", "its"]
        self.pronoun_rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(p) for p in pronouns) + r")(?![\w])")
        self.plural_rx = compile_phrases(lexicon.vocab.coref_plural)
        speaker = [str(w) for w in lexicon.vocab.coref_speaker]
        self.speaker_rx = compile_phrases(speaker) if speaker else None
        # "the Suwon-based company", "the nonferrous metal company": any short description ending in a head noun
        heads = [re.escape(str(h)) for h in lexicon.vocab.coref_heads]
        self._last: tuple[str | None, dict[str, re.Match[str] | None]] = (None, {})
        self.descriptor_rx = re.compile(
            r"(?<![\w'’])[Tt]he[ \t]+(?:[\w\-]+[ \t]+){1,3}(?:" + "|".join(heads) + r")(?![\w'’])"
        ) if heads else None

    def _phrases(self, text: str) -> dict[str, re.Match[str] | None]:
        """The first hit of each referring-phrase pattern in ``text``; a sentence is asked several times (once
        per subject type and reading), so the hits of the last sentence are kept."""
        last = self._last  # one tuple, replaced whole: threads sharing the extractor never see a mix
        if last[0] is not text:
            company = self.company_rx.search(text)
            described = (self.descriptor_rx.search(text, 0, company.start() if company else len(text))
                         if self.descriptor_rx is not None else None)
            hits = {
                "plural": self.plural_rx.search(text),
                "company": described or company,
                "country": self.country_rx.search(text),
                "speaker": self.speaker_rx.search(text) if self.speaker_rx is not None else None,
                "pronoun": self.pronoun_rx.search(text),
            }
            last = self._last = (text, hits)
        return last[1]

    def span(self, text: str, start: int) -> tuple[int, int]:
        """Where the referring phrase that ``resolve`` found at ``start`` ends: (start, end) in ``text``."""
        for hit in self._phrases(text).values():
            if hit is not None and hit.start() == start:
                return hit.start(), hit.end()
        return start, start

    def resolve(self, text: str, index: int, memory: CorefMemory, types: set[str],
                mentions: list[Mention]) -> tuple[list[Mention], int] | None:
        """Entities a referring phrase in ``text`` points at, with the phrase's offset; None if no phrase."""
        hits = self._phrases(text)
        plural = hits["plural"]
        if plural and memory.last_group and index - memory.last_group_sentence <= 4:
            group = [m for m in memory.last_group if m.type in types]
            if group:
                memory.last_group_sentence = index  # "The two companies ... Their goal ...": the pair stays in focus
                return group, plural.start()
        found: list[tuple[int, Mention]] = []
        hit = hits["company"] if "company" in types else None
        if hit:
            country = None
            for m in mentions:
                if m.demonym and hit.start() <= m.start < hit.end():
                    country = m.name
            category = next((cat for word, cat in _CATEGORY_WORDS.items() if word in hit.group().lower()), None)
            target = (memory.recent(index, {"company"}, country, category) or memory.recent(index, {"company"}, country)
                      or memory.recent(index, {"company"}))
            if target:
                found.append((hit.start(), target))
        hit = hits["country"] if types & {"country", "region"} else None
        if hit:
            target = memory.recent(index, {"country", "region"})
            if target:
                found.append((hit.start(), target))
        hit = hits["speaker"] if "company" in types else None
        if hit:  # "we are targeting ...": in a call transcript or a release, the company the document is about
            target = memory.first({"company"})
            if target:
                found.append((hit.start(), target))
        hit = hits["pronoun"]
        if hit:
            target = memory.recent(index, types)
            if target:
                found.append((hit.start(), target))
        if not found:
            return None
        pos, target = min(found, key=lambda item: item[0])
        return [target], pos
