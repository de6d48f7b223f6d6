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


def compile_phrases(phrases: Iterable[str], *, flags: int = re.IGNORECASE, group: str | None = None) -> re.Pattern[str]:
    """One alternation over ``phrases``, longest first, on word boundaries."""
    items = sorted({str(p) for p in phrases if str(p).strip()}, key=lambda p: (-len(p), p))
    if not items:
        return re.compile(r"(?!x)x")
    alts = []
    for p in items:
        src = phrase_pattern(p)
        head = r"(?<!\w)" if re.match(r"\w", p) else ""
        tail = r"(?![\w])" if (p.endswith("*") or re.search(r"\w$", p)) else ""
        alts.append(f"{head}{src}{tail}")
    body = "|".join(alts)
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
            lookup.setdefault(str(item).lower().rstrip("*"), label)
    return compile_phrases(phrases), lookup


def label_of(hit: str, lookup: Mapping[str, str]) -> str | None:
    """The label of a matched phrase, allowing for hyphen/space variation and ``*`` endings."""
    key = hit.lower()
    if key in lookup:
        return lookup[key]
    norm = re.sub(r"[\s\-]+", " ", key)
    for phrase, label in lookup.items():
        if re.sub(r"[\s\-]+", " ", phrase) == norm:
            return label
    for phrase, label in sorted(lookup.items(), key=lambda kv: -len(kv[0])):
        if norm.startswith(re.sub(r"[\s\-]+", " ", phrase)):
            return label
    return None


@dataclass
class Lexicon:
    """Compiled vocabulary of one domain pack."""

    pack: DomainPack
    vocab: dict[str, Any]
    pipeline: list[str]
    regex: dict[str, re.Pattern[str]] = field(default_factory=dict)
    labelled: dict[str, tuple[re.Pattern[str], dict[str, str]]] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)

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
            raw = self.vocab.get(name) or {}
            if not isinstance(raw, Mapping):
                raise DomainPackError(f"vocabulary.{name} must be a mapping")
            found = compile_labelled({k: v for k, v in raw.items()})
            self.labelled[name] = found
        return found

    def label(self, name: str, hit: str) -> str | None:
        """Label of ``hit`` in labelled table ``name``."""
        return label_of(hit, self.table(name)[1])

    def _list(self, name: str) -> list[str]:
        raw = self.vocab.get(name)
        if raw is None:
            return []
        if isinstance(raw, Mapping):
            return [str(k) for k in raw]
        return [str(x) for x in raw]


DEFAULT_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9, "trillion": 1e12, "tn": 1e12,
    "trn": 1e12, "tr": 1e12,
}


def _scales(pack: DomainPack) -> dict[str, float]:
    """Scale words from currencies.yaml's ``scales:`` map (falls back to the common English words)."""
    import yaml

    scales = dict(DEFAULT_SCALES)
    path = pack.path / "currencies.yaml"
    if path.exists():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            raw = {}
        for word, value in (raw.get("scales") or {}).items():
            try:
                scales[str(word).lower()] = float(value)
            except (TypeError, ValueError):
                continue
    return scales


_CACHE: dict[tuple[str, str, int], Lexicon] = {}


def lexicon_for(pack: DomainPack | str | None = None) -> Lexicon:
    """The compiled lexicon of a pack (by object, name or path); compiled once per process."""
    if pack is None or isinstance(pack, str):
        pack = load_domain(pack or "solid_state_batteries")
    key = (pack.name, str(pack.path), id(pack))
    found = _CACHE.get(key)
    if found is None:
        vocab = dict(pack.vocabulary or {})
        pipeline = [str(x) for x in vocab.get("pipeline") or []]
        found = Lexicon(pack=pack, vocab=vocab, pipeline=pipeline, scales=_scales(pack))
        _CACHE[key] = found
    return found
