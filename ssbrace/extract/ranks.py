"""Ranks stated in words: "ranks second", "third place", "No. 2", "the second-largest", "the top".

Rank patterns come from the vocabulary with ``ORD`` standing for an ordinal word and ``N`` for a digit;
a bare ordinal elsewhere ("the first cars") is not a rank.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from ssbrace.extract.lexicon import Lexicon, phrase_pattern


@dataclass(frozen=True, slots=True)
class RankHit:
    rank: int
    start: int
    end: int


class RankFinder:
    def __init__(self, lexicon: Lexicon) -> None:
        vocab = lexicon.vocab
        self.ordinals = {str(k).lower(): int(v) for k, v in vocab.ordinals.items()}
        words = [w for w in self.ordinals if not w.startswith("no") and w not in ("top", "number one", "number two", "number three")]
        self._ordinal_words = words
        ord_alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!x)x"
        alts = []
        patterns = sorted((str(p) for p in vocab.rank_patterns), key=len, reverse=True)
        for i, pattern in enumerate(patterns):
            src = phrase_pattern(pattern.replace("ORD", "\x00").replace(" N", " \x01").replace(". N", ". \x01"))
            src = src.replace("\x00", f"(?P<o{i}>{ord_alt})").replace("\x01", rf"(?P<n{i}>\d{{1,2}})")
            alts.append(src)
        # Cheap gate: no ordinal word and no "No."/"number" means no rank (most sentences).
        self.gate = re.compile(rf"(?<![\w])(?:{ord_alt}|no\.|number|rank)", re.IGNORECASE)
        self.rx = re.compile(rf"(?<![\w])(?:{'|'.join(alts) or '(?!x)x'})(?![\w])", re.IGNORECASE)

    def gate_lists(self) -> dict[str, list[str]]:
        """The words every rank pattern holds (for the pipeline's one cue scan)."""
        return {"_rank_gate": [*(f"{w}*" for w in self._ordinal_words), "no.", "number*", "rank*"]}

    def find_all(self, text: str, present: Container[str] | None = None) -> list[RankHit]:
        """Every rank stated in ``text`` (``present``: gate lists found by a cue scan, when one ran)."""
        hits: list[RankHit] = []
        if present is not None and "_rank_gate" not in present:
            return hits
        for match in self._matches(text):
            value = None
            for name, got in match.groupdict().items():
                if got is None:
                    continue
                value = self.ordinals.get(got.lower()) if name[0] == "o" else int(got)
                break
            if value:
                hits.append(RankHit(value, match.start(), match.end()))
        hits.sort(key=lambda h: h.start)
        return hits

    def _matches(self, text: str) -> list[re.Match[str]]:
        """The rank pattern's matches, searched only around ordinal words (every pattern holds one).

        One search of a 50-way alternation over the whole sentence is the slowest step of a sentence with an
        ordinal; a window of a few words around each ordinal gives the same matches.
        """
        out: list[re.Match[str]] = []
        last = 0
        for gate in self.gate.finditer(text):
            if gate.end() <= last:
                continue
            lo = max(last, gate.start() - _REACH)
            hi = _word_end(text, gate.end() + _REACH)
            match = self.rx.search(text, lo, hi)
            while match is not None and match.start() < gate.end():
                out.append(match)
                last = match.end()
                match = self.rx.search(text, last, hi) if last < hi else None
        return out

    def find(self, text: str) -> int | None:
        hits = self.find_all(text)
        return hits[0].rank if hits else None


# The longest stretch a rank pattern reaches before or after its ordinal ("came in ORD", "ORD in the world").
_REACH = 24
_WORD_CHAR = re.compile(r"[\w\-.]*")


def _word_end(text: str, pos: int) -> int:
    """``pos`` moved to the end of the word it falls in, so a window never cuts a word in two."""
    if pos >= len(text):
        return len(text)
    return _WORD_CHAR.match(text, pos).end()  # type: ignore[union-attr]
