"""Every cue list of the vocabulary found in one pass over a sentence.

The claim components ask many questions of one sentence: does it hedge, name a goal, a stage, a
partnership cue, a technology? Answering each with its own regex means some twenty scans of every
sentence. Instead the phrases of all cue lists and tables go into one character trie, run once over the
lower-cased sentence at every word start; each hit is then attributed to the lists that hold a phrase
matching there (memoised per hit text). The result is the same hits each list's own regex finds, in order
and without overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ssbrace.extract.lexicon import Lexicon, _trie_source, compile_labelled, compile_phrases

# Distinct hit texts remembered; the set of phrases is bounded, but "*" endings match open word sets.
_MEMO_LIMIT = 50_000


class Cue:
    """One phrase found in a sentence; reads like a ``re.Match`` (``start()``, ``end()``, ``group()``)."""

    __slots__ = ("_start", "_end", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start = start
        self._end = end
        self._text = text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Cue({self._start}, {self._end}, {self._text!r})"


class CueIndex:
    """The cue lists and labelled tables of a lexicon, compiled into one trie over lower-cased text."""

    def __init__(self, lexicon: Lexicon, lists: Iterable[str], tables: Iterable[str],
                 extra: dict[str, list[str]] | None = None) -> None:
        """Index vocabulary ``lists`` and ``tables`` by name, and ``extra`` phrase lists (gates of other finders)."""
        self.lexicon = lexicon
        phrases: list[str] = []
        # Each list's own pattern, without case folding (it runs on lower-cased hit texts).
        self.members: dict[str, re.Pattern[str]] = {}
        self.extra: dict[str, re.Pattern[str]] = {}
        named = [(name, lexicon._list(name)) for name in lists] + list((extra or {}).items())
        for name, raw in named:
            items = [p.lower() for p in raw]
            if items and all(re.match(r"\w", p.strip()) for p in items):
                self.members[name] = compile_phrases(items, flags=0)
                phrases.extend(items)
                if extra and name in extra:
                    self.extra[name] = compile_phrases(items)
        for name in tables:
            labelled = lexicon.vocab.words(name)
            assert isinstance(labelled, dict), f"vocabulary {name} is a table"
            table = {k: [str(p).lower() for p in v or []] for k, v in labelled.items()}
            items = [p for v in table.values() for p in v]
            if items and all(re.match(r"\w", p.strip()) for p in items):
                self.members[name] = compile_labelled(table)[0]
                self.members[name] = re.compile(self.members[name].pattern)  # same source, no case folding
                phrases.extend(items)
        source = _trie_source(sorted(set(phrases))) if phrases else r"(?!x)x"
        # A lookahead at every word start: the longest phrase starting there, overlapping ones included.
        self.scanner = re.compile(rf"(?<![\w])(?=({source}))")
        self._memo: dict[str, tuple[tuple[str, int], ...]] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.members

    def scan(self, text: str, lower: str) -> dict[str, list[Cue]]:
        """The hits of every indexed list in ``text`` (``lower`` is ``text.lower()``)."""
        out: dict[str, list[Cue]] = {}
        if len(lower) != len(text):
            # Lower-casing changed the length (a few non-Latin letters): offsets would shift, so each list's
            # own case-folding pattern runs on the original text instead.
            for name in self.members:
                rx = self.pattern(name)
                found = [Cue(m.start(), m.end(), m.group()) for m in rx.finditer(text)]
                if found:
                    out[name] = found
            return out
        memo = self._memo
        for match in self.scanner.finditer(lower):
            hit = match.group(1)
            owners = memo.get(hit)
            if owners is None:
                owners = self._owners(hit)
            if not owners:
                continue
            start = match.start()
            for name, size in owners:
                hits = out.get(name)
                if hits is None:
                    out[name] = [Cue(start, start + size, text[start : start + size])]
                elif hits[-1]._end <= start:  # a list's own matches never overlap
                    hits.append(Cue(start, start + size, text[start : start + size]))
        return out

    def _owners(self, hit: str) -> tuple[tuple[str, int], ...]:
        """The lists holding a phrase that matches at the start of ``hit``, with that phrase's length."""
        owners = []
        for name, rx in self.members.items():
            found = rx.match(hit)
            if found is not None and found.end() > 0:
                owners.append((name, found.end()))
        result = tuple(owners)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[hit] = result
        return result

    def pattern(self, name: str) -> re.Pattern[str]:
        """The case-folding pattern of one indexed list (what the scan stands in for)."""
        if name in self.extra:
            return self.extra[name]
        if self._is_table(name):
            return self.lexicon.table(name)[0]
        return self.lexicon.rx(name)

    def _is_table(self, name: str) -> bool:
        return name not in self.extra and self.lexicon.vocab.is_table(name)
