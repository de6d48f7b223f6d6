"""Ranks stated in words: "ranks second", "third place", "No. 2", "the second-largest", "the top".

Rank patterns come from the vocabulary with ``ORD`` standing for an ordinal word and ``N`` for a digit;
a bare ordinal elsewhere ("the first cars") is not a rank.
"""

from __future__ import annotations

import re
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
        self.ordinals = {str(k).lower(): int(v) for k, v in (vocab.get("ordinals") or {}).items()}
        words = [w for w in self.ordinals if not w.startswith("no") and w not in ("top", "number one", "number two", "number three")]
        ord_alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!x)x"
        alts = []
        patterns = sorted((str(p) for p in vocab.get("rank_patterns") or []), key=len, reverse=True)
        for i, pattern in enumerate(patterns):
            src = phrase_pattern(pattern.replace("ORD", "\x00").replace(" N", " \x01").replace(". N", ". \x01"))
            src = src.replace("\x00", f"(?P<o{i}>{ord_alt})").replace("\x01", rf"(?P<n{i}>\d{{1,2}})")
            alts.append(src)
        # Cheap gate: no ordinal word and no "No."/"number" means no rank (most sentences).
        self.gate = re.compile(rf"(?<![\w])(?:{ord_alt}|no\.|number|rank)", re.IGNORECASE)
        self.rx = re.compile(rf"(?<![\w])(?:{'|'.join(alts) or '(?!x)x'})(?![\w])", re.IGNORECASE)

    def find_all(self, text: str) -> list[RankHit]:
        """Every rank stated in ``text``."""
        hits: list[RankHit] = []
        if not self.gate.search(text):
            return hits
        for match in self.rx.finditer(text):
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

    def find(self, text: str) -> int | None:
        hits = self.find_all(text)
        return hits[0].rank if hits else None
