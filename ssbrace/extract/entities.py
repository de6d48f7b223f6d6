"""Entity recognition: the gazetteer (names, aliases, demonyms, possessives) and unknown organisations.

The gazetteer is compiled once into a dict keyed by an alias's first token; a sentence is tokenised once
and each token looks up the aliases that start with it (longest first). This is linear in the sentence
and independent of the gazetteer's size. Organisations the gazetteer lacks are found by their corporate
suffix ("Foo Energy Co.") or by a noun naming them ("battery maker Foo", "Foo, a start-up").
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field, replace

from ssbrace.extract.lexicon import Lexicon, compile_phrases

_TOKEN = re.compile(r"\w+|[^\w\s]")
_MODIFIER_BEFORE = re.compile(r"(?:non|ex|anti|pro|pan|trans)-$", re.IGNORECASE)
_MODIFIER_AFTER = re.compile(r"\$|-(?:based|headquartered|listed|born|made|built|focused|backed|owned)(?![\w])", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![\w])[A-Z0-9À-ÖØ-Þ]\w*")
_AND = re.compile(r"[ \t]*(?:,|and|,[ \t]*and|or|&)[ \t]*")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)(?!\w)")
_NAME_WORD = r"[A-Z][\w&\-]{0,40}"
# Up to four capitalised words: bounded repetition with disjoint classes, so no catastrophic backtracking.
_NAME = rf"(?:{_NAME_WORD}|[A-Z]{{2,40}}\d*)(?:[ \t]+(?:{_NAME_WORD}|&|of|de|[A-Z]{{2,40}}\d*)){{0,3}}"


@dataclass(frozen=True, slots=True)
class Entry:
    """A gazetteer entity."""

    name: str
    type: str  # country | region | company | program | institution
    country: str | None = None
    category: str | None = None
    demonym: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in a sentence; offsets are relative to the sentence."""

    start: int
    end: int
    name: str
    type: str
    country: str | None = None
    category: str | None = None
    possessive: bool = False
    demonym: bool = False
    known: bool = True
    group: bool = False  # a demonym naming its country as a group ("Korean firms")
    text: str = ""

    @property
    def generic(self) -> bool:
        """Matched by a common word ("global", "the world"): a last resort, never a subject by proximity."""
        return self.text[:1].islower()

    @property
    def candidate(self) -> bool:
        """Can this mention be a claim's subject or object?"""
        return (not self.demonym or self.group) and not self.generic


@dataclass
class EntityMatcher:
    """Finds gazetteer entities and unknown organisations in sentences."""

    lexicon: Lexicon
    exact: dict[str, list[tuple[str, Entry]]] = field(default_factory=dict)
    folded: dict[str, list[tuple[str, Entry]]] = field(default_factory=dict)
    by_name: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        gaz = self.lexicon.pack.gazetteer
        for place in gaz.places:
            entry = Entry(place.name, place.type, place.name if place.type == "country" else None)
            self._add_names(entry, [place.name, *place.aliases])
            self._add_names(replace(entry, demonym=True), place.demonyms)
            if place.capital:
                # "Seoul allocated...": the capital stands for the government (never in an all-caps dateline)
                self._add_names(replace(entry, category="capital"), [place.capital], fold=False)
        for company in gaz.companies:
            entry = Entry(company.name, "company", company.country, company.category)
            self._add_names(entry, [company.name, *company.aliases])
        for program in gaz.programs:
            self._add_names(Entry(program.name, "program", program.country), [program.name, *program.aliases])
        for inst in gaz.institutions:
            entry = Entry(inst.name, "institution", inst.country, inst.category)
            self._add_names(entry, [inst.name, *inst.aliases])
        for table in (self.exact, self.folded):
            for key in table:
                table[key].sort(key=lambda item: -len(item[0]))
        vocab = self.lexicon.vocab
        self.group_nouns = compile_phrases(vocab.demonym_group_nouns)
        suffixes = sorted(vocab.corporate_suffixes, key=len, reverse=True)
        self.suffixes = [str(s) for s in suffixes]
        suffix_alt = "|".join(re.escape(s) for s in self.suffixes) or r"(?!x)x"
        self.suffix_gate = re.compile(rf"(?<![\w])(?:{suffix_alt})(?![\w])")
        self.suffix_rx = re.compile(rf"(?P<name>{_NAME}),?[ \t]+(?P<suf>{suffix_alt})(?![\w])")
        from ssbrace.extract.lexicon import _trie_source

        cue_list = [str(c) for c in vocab.organisation_cues]
        self._cue_list = cue_list
        cues = _trie_source(cue_list) if cue_list else ""
        self.cue_rx = re.compile(rf"(?<![\w])(?:{cues or '(?!x)x'})[ \t]+(?P<name>{_NAME})") if cues else None
        self.appos_rx = re.compile(
            rf"(?P<name>{_NAME}),[ \t]+(?:a|an|the)[ \t]+(?:[\w\-]+[ \t]+){{0,3}}?(?:{cues or '(?!x)x'})(?![\w])"
        )
        self.not_names = frozenset(str(w) for w in vocab.not_names)

    def _add_names(self, entry: Entry, names: list[str], fold: bool = True) -> None:
        for alias in names:
            tokens = tuple(_TOKEN.findall(alias))
            if not tokens:
                continue
            self.exact.setdefault(tokens[0], []).append((alias, entry))
            if fold and len(alias) >= 3:
                self.folded.setdefault(tokens[0].casefold(), []).append((alias.casefold(), entry))
            if not entry.demonym:
                self.by_name.setdefault(entry.name.casefold(), entry)

    def lookup(self, name: str) -> Entry | None:
        """The gazetteer entry whose canonical name or alias is ``name``."""
        tokens = _TOKEN.findall(name)
        if not tokens:
            return None
        for alias, entry in self.exact.get(tokens[0], []):
            if alias == name and not entry.demonym:
                return entry
        return self.by_name.get(name.casefold())

    def gate_lists(self) -> dict[str, list[str]]:
        """The nouns that introduce an unknown organisation (for the pipeline's one cue scan)."""
        return {"_organisation_cues": list(self._cue_list)}

    def find(self, text: str, present: Container[str] | None = None) -> list[Mention]:
        """Every entity mention in ``text`` (a sentence), in order, without overlaps.

        ``present`` holds the names of ``gate_lists()`` found in the text, when a cue scan already ran.
        """
        mentions: list[Mention] = []
        pos = 0
        # Names start with a capital letter or a digit: only those words are looked up (words inside a
        # name already found are skipped).
        for word in _CAPITALISED.finditer(text):
            start = word.start()
            if start < pos:
                continue
            hit = self._match_at(text, start, word.group())
            if hit is None:
                continue
            end, entry = hit
            pos = end
            poss = _POSSESSIVE.match(text, end)
            possessive = poss is not None and not (poss.group() in ("'", "’") and text[end - 1 : end] not in "sS")
            if _MODIFIER_BEFORE.search(text, max(0, start - 5), start) or _MODIFIER_AFTER.match(text, end):
                continue  # "non-China market", "a Hefei-based firm": the place qualifies something else
            if entry.demonym:
                mention = self._demonym(text, entry, start, end)
            else:
                mention = Mention(start, end, entry.name, entry.type, entry.country, entry.category,
                                  possessive=possessive, text=text[start:end])
            if mention is not None:
                mentions.append(mention)
        mentions.extend(self._unknown(text, mentions, present is None or "_organisation_cues" in present))
        mentions.sort(key=lambda m: m.start)
        # "Chinese and South Korean rivals": a demonym joined to a group demonym names a group too
        for k in range(len(mentions) - 2, -1, -1):
            a, b = mentions[k], mentions[k + 1]
            if a.demonym and not a.group and b.demonym and b.group and _AND.fullmatch(text[a.end : b.start]):
                mentions[k] = replace(a, group=True)
        return mentions

    def _match_at(self, text: str, start: int, tok: str) -> tuple[int, Entry] | None:
        """The longest alias starting at ``start`` (whose first word is ``tok``): its end and entry.

        An exact-case alias and a case-folded one can both match ("POSCO" and "POSCO Future M" for
        "Posco Future M"): the longer wins."""
        found: tuple[int, Entry] | None = None
        for alias, entry in self.exact.get(tok, ()):
            end = start + len(alias)
            if text.startswith(alias, start) and _boundary(text, end, alias):
                found = (end, entry)
                break
        if tok[:1].isupper():
            allcaps = tok.isupper()
            for alias, entry in self.folded.get(tok.casefold(), ()):
                end = start + len(alias)
                if (allcaps or len(alias) >= 4 or _acronym(entry, alias)) and \
                        text[start:end].casefold() == alias and _boundary(text, end, alias):
                    if found is None or end > found[0]:
                        found = (end, entry)
                    break
        return found

    def _demonym(self, text: str, entry: Entry, start: int, end: int) -> Mention | None:
        """A demonym names its country only before a group noun ("Korean firms", "the Japanese government")."""
        window = text[end : end + 40]
        hit = self.group_nouns.match(window.lstrip()) or _after_one_word(self.group_nouns, window)
        return Mention(start, end, entry.name, entry.type, entry.country, entry.category,
                       demonym=True, group=hit is not None, text=text[start:end])

    def _unknown(self, text: str, known: list[Mention], cued: bool = True) -> list[Mention]:
        """Organisations the gazetteer lacks, named with a corporate suffix or a noun that introduces them."""
        found: list[Mention] = []
        spans = [(m.start, m.end) for m in known]
        rxs = [self.cue_rx, self.appos_rx] if cued else []
        if self.suffix_gate.search(text):
            rxs.insert(0, self.suffix_rx)
        for rx in rxs:
            if rx is None:
                continue
            for match in rx.finditer(text):
                start, end = match.span("name")
                name = self._clean_name(match.group("name"))
                if not name:
                    continue
                start = end - len(name) if text[start:end].endswith(name) else start
                if any(s < end and start < e for s, e in spans):
                    continue
                entry = self.lookup(name)
                if entry is not None:
                    continue
                full_end = match.end() if rx is self.suffix_rx else end
                poss = _POSSESSIVE.match(text, full_end)
                found.append(Mention(start, full_end, name, "company", possessive=bool(poss), known=False,
                                     text=text[start:full_end]))
                spans.append((start, full_end))
        return found

    def _clean_name(self, raw: str) -> str:
        """Drop leading function words and trailing corporate suffixes from a candidate name."""
        words = raw.split()
        while words and (words[0] in self.not_names or words[0].lower() in {"the", "a", "an"}):
            words.pop(0)
        name = " ".join(words)
        changed = True
        while changed and name:
            changed = False
            for suffix in self.suffixes:
                if name.endswith(" " + suffix) or name.endswith("," + suffix):
                    name = name[: -len(suffix) - 1].rstrip(" ,")
                    changed = True
        if not name or name in self.not_names or name in CALENDAR_WORDS or len(name) < 2:
            return ""
        if all(w in self.not_names for w in name.split()):
            return ""
        if " " not in name and name.endswith("ly") and name[1:].islower():
            return ""  # an adverb the gazetteer does not list ("Reportedly, the company ...")
        return name


# Months and weekdays are never an organisation on their own ("In May, the firm ..."), whatever the domain.
CALENDAR_WORDS = frozenset("""January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday""".split())


def _acronym(entry: Entry, alias: str) -> bool:
    """A three-letter all-caps name written in title case ("Nio" for NIO)."""
    return entry.name.isupper() and entry.name.casefold() == alias


def _boundary(text: str, end: int, alias: str) -> bool:
    """The alias ends at a word boundary (an alias ending in "." may be followed by anything)."""
    if end >= len(text) or not alias[-1:].isalnum():
        return True
    nxt = text[end]
    return not (nxt.isalnum() or nxt == "_")


def _after_one_word(rx: re.Pattern[str], window: str) -> re.Match[str] | None:
    """Match ``rx`` after one intervening word ("Korean battery makers", "Chinese EV makers")."""
    stripped = window.lstrip()
    first = re.match(r"[\w\-]+\s+", stripped)
    if not first:
        return None
    rest = stripped[first.end() :]
    hit = rx.match(rest)
    if hit:
        return hit
    second = re.match(r"[\w\-]+\s+", rest)
    return rx.match(rest[second.end() :]) if second else None


def trim_suffixes(name: str, suffixes: list[str]) -> str:
    """A name without its corporate suffixes ("Foo Energy Co., Ltd." -> "Foo Energy")."""
    name = name.strip()
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if name.endswith(" " + suffix) or name.endswith("," + suffix):
                name = name[: -len(suffix) - 1].rstrip(" ,")
                changed = True
    return name
