"""The domain pack's vocabulary compiled once into regexes and lookup tables.

Phrase lists from ``vocabulary.yaml`` become one alternation each (longest phrase first, word boundaries,
case-insensitive). A space or hyphen in a phrase matches either; a trailing ``*`` matches a word ending.
The alternations are flat (no nested quantifiers), so matching stays linear in the sentence length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.domains.vocabulary import Vocabulary
from ssbrace.errors import DomainPackError


def phrase_pattern(phrase: str) -> str:
    """Regex source for one vocabulary phrase (no boundaries)."""
    star = phrase.endswith("*")
    body = phrase[:-1] if star else phrase
    parts = re.split(r"[\s\-]+", body.strip())
    src = r"[\s\-]?".join(re.escape(p) for p in parts if p) if len(parts) > 1 else re.escape(body.strip())
    if star:
        src += r"[\w\-]*"
    return src


def _norm(phrase: str) -> str:
    """A phrase lower-cased with runs of spaces and hyphens as one space."""
    return re.sub(r"[\s\-]+", " ", phrase.strip().lower())


def _trie_source(phrases: list[str]) -> str:
    """Regex source of a character trie over ``phrases``: each position tries a few branches, not all.

    A flat alternation of hundreds of phrases makes the regex engine try every phrase at every position;
    factoring common prefixes keeps matching fast. Longer continuations come first, so the longest phrase
    wins. A space matches a space, a hyphen or nothing; ``*`` matches a word ending.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        star = phrase.endswith("*")
        body = _norm(phrase[:-1] if star else phrase)
        if not body:
            continue
        node = trie
        for ch in body:
            node = node.setdefault(ch, {})
        tail = r"[\w\-]*" if star else (r"(?![\w])" if re.match(r"\w", body[-1]) else "")
        node.setdefault("", set()).add(tail)

    def emit(node: dict[str, Any]) -> str:
        options = []
        for ch in sorted(k for k in node if k):
            atom = r"[\s\-]?" if ch == " " else re.escape(ch)
            options.append(atom + emit(node[ch]))
        # A "*" ending first: it matches at least as much as a plain end ("budget*" over "budget" before "-").
        for tail in sorted(node.get("", ()), key=lambda t: (t != r"[\w\-]*", -len(t), t)):
            options.append(tail)
        if len(options) == 1:
            return options[0]
        return "(?:" + "|".join(options) + ")"

    return emit(trie) if trie else r"(?!x)x"


def compile_phrases(phrases: Iterable[str], *, flags: int = re.IGNORECASE, group: str | None = None) -> re.Pattern[str]:
    """One trie-shaped alternation over ``phrases`` (longest match first), on word boundaries."""
    items = sorted({str(p) for p in phrases if str(p).strip()})
    if not items:
        return re.compile(r"(?!x)x")
    word_start = [p for p in items if re.match(r"\w", p.strip())]
    other = [p for p in items if not re.match(r"\w", p.strip())]
    parts = []
    if word_start:
        parts.append(r"(?<![\w])" + _trie_source(word_start))
    if other:
        parts.append(_trie_source(other))
    body = "|".join(parts)
    if group:
        return re.compile(f"(?P<{group}>{body})", flags)
    return re.compile(f"(?:{body})", flags)


def compile_labelled(table: Mapping[str, Iterable[str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation over all phrases of all labels; the second value maps a lower-cased hit to its label.

    Labels keep the table's order for equal-length phrases, so the most specific label wins ties.
    """
    lookup: dict[str, str] = {}
    phrases: list[str] = []
    for label, items in table.items():
        for item in items:
            phrases.append(str(item))
            key = _norm(str(item).rstrip("*"))
            if str(item).endswith("*"):
                key += "*"
            lookup.setdefault(key, label)
    return compile_phrases(phrases), lookup


def label_of(hit: str, lookup: Mapping[str, str]) -> str | None:
    """The label of a matched phrase, allowing for hyphen/space variation and ``*`` endings."""
    norm = _norm(hit)
    found = lookup.get(norm)
    if found is not None:
        return found
    squeezed = norm.replace(" ", "")
    best: tuple[int, str] | None = None
    for phrase, label in lookup.items():
        plain = phrase.rstrip("*")
        if phrase.endswith("*") and (norm.startswith(plain) or squeezed.startswith(plain.replace(" ", ""))):
            if best is None or len(plain) > best[0]:
                best = (len(plain), label)
        elif plain.replace(" ", "") == squeezed:
            return label
    return best[1] if best else None


@dataclass
class Lexicon:
    """Compiled vocabulary of one domain pack."""

    pack: DomainPack
    vocab: Vocabulary
    pipeline: list[str]
    regex: dict[str, re.Pattern[str]] = field(default_factory=dict)
    labelled: dict[str, tuple[re.Pattern[str], dict[str, str]]] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)
    spec_units: dict[str, str | None] = field(default_factory=dict)  # spec metric -> the unit its claims carry
    capacity_units: frozenset[str] = frozenset()  # the units capacity claims carry
    _labels: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def rx(self, name: str) -> re.Pattern[str]:
        """The compiled alternation of vocabulary list ``name`` (cached)."""
        found = self.regex.get(name)
        if found is None:
            found = compile_phrases(self._list(name))
            self.regex[name] = found
        return found

    def table(self, name: str) -> tuple[re.Pattern[str], dict[str, str]]:
        """The compiled labelled table ``name`` (a mapping label -> phrases)."""
        found = self.labelled.get(name)
        if found is None:
            raw = self.vocab.words(name)
            if not isinstance(raw, Mapping):
                raise DomainPackError(f"vocabulary.{name} must be a mapping")
            found = compile_labelled({k: v for k, v in raw.items()})
            self.labelled[name] = found
        return found

    def label(self, name: str, hit: str) -> str | None:
        """Label of ``hit`` in labelled table ``name`` (memoised: the same few phrases recur)."""
        key = (name, hit.lower())
        found = self._labels.get(key, False)
        if found is False:
            found = label_of(hit, self.table(name)[1])
            self._labels[key] = found
        return found  # type: ignore[return-value]

    def _list(self, name: str) -> list[str]:
        raw = self.vocab.words(name)
        if isinstance(raw, Mapping):
            return [str(k) for k in raw]
        return [str(x) for x in raw]


DEFAULT_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9, "trillion": 1e12, "tn": 1e12,
    "trn": 1e12, "tr": 1e12,
}


def _scales(pack: DomainPack) -> dict[str, float]:
    """Scale words: the common English ones, then currencies.yaml's ``scales:`` map (read by the loader)."""
    return {**DEFAULT_SCALES, **pack.scales}


_CACHE: dict[tuple[str, str, int], Lexicon] = {}


def lexicon_for(pack: DomainPack | str | None = None) -> Lexicon:
    """The compiled lexicon of a pack (by object, name or path); compiled once per process."""
    if pack is None or isinstance(pack, str):
        pack = load_domain(pack or "solid_state_batteries")
    key = (pack.name, str(pack.path), id(pack))
    found = _CACHE.get(key)
    if found is None:
        vocab = pack.vocabulary
        pipeline = [str(x) for x in vocab.pipeline]
        found = Lexicon(pack=pack, vocab=vocab, pipeline=pipeline, scales=_scales(pack),
                        spec_units=vocab.spec_units(), capacity_units=frozenset(vocab.capacity_claim_units()))
        _CACHE[key] = found
    return found
