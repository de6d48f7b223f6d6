"""Quantities in a sentence: numbers in digits and words, scales, money (with a stated conversion),
percentages, measured amounts with units, bounds, years, year ranges and relative years.

Each finder is one precompiled regex without nested quantifiers, run once over the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date

from ssbrace.domains.vocabulary import Vocabulary
from ssbrace.extract.lexicon import Lexicon, _trie_source, compile_phrases, phrase_pattern

NUM = r"(?:\d{1,3}(?:,\d{3}){1,8}(?:\.\d+)?|\d+(?:\.\d+)?)"
_YEAR = r"(?:19[5-9]\d|20\d\d)"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure in a sentence; offsets are relative to the sentence."""

    kind: str  # money | percent | measure | count
    value: float
    start: int
    end: int
    bound: str = "eq"
    unit: str | None = None  # for measures: the unit word's canonical key
    metric: str | None = None  # for measures: what the unit measures
    currency: str | None = None
    amount: float | None = None
    usd: float | None = None  # a dollar figure the text itself states for money in another currency
    text: str = ""


@dataclass(frozen=True, slots=True)
class YearRef:
    """A year or a range of years in a sentence."""

    year: int
    year_end: int | None
    start: int
    end: int
    bound: str = "eq"
    prep: str = ""  # the preposition before it: by, in, from, since, until, as of, ...
    text: str = ""


def parse_number(text: str, words: dict[str, float] | None = None) -> float | None:
    """A number written in digits ("4,625", "1.2") or words ("six", "twenty-five", "a dozen")."""
    raw = text.strip().lower().replace(",", "")
    try:
        return float(raw)
    except ValueError:
        pass
    table = words or _DEFAULT_WORDS
    if raw in table:
        return float(table[raw])
    total = 0.0
    current = 0.0
    seen = False
    for part in re.split(r"[\s\-]+", raw):
        if part in ("and", "a"):
            continue
        if part == "hundred":
            current = (current or 1) * 100
        elif part == "thousand":
            total += (current or 1) * 1000
            current = 0
        elif part in table:
            current += float(table[part])
        else:
            return None
        seen = True
    return total + current if seen else None


_DEFAULT_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}


class QuantityFinder:
    """All quantity regexes of one lexicon, compiled once."""

    def __init__(self, lexicon: Lexicon) -> None:
        vocab = lexicon.vocab
        self.lexicon = lexicon
        self.words: dict[str, float] = {str(k).lower(): float(v) for k, v in (vocab.number_words or _DEFAULT_WORDS).items()}
        simple = sorted((w for w in self.words if " " not in w), key=len, reverse=True)
        word_alt = _trie_source(simple)
        # "twenty-five", "one hundred", "a dozen": a word number, optionally joined to a second one.
        self.wordnum = rf"(?:(?:a[ \t]+)?(?:{word_alt})(?:[\- \t](?:{word_alt}))?)"
        number = rf"(?:{NUM}|{self.wordnum})"
        scales = sorted(lexicon.scales, key=len, reverse=True)
        long_scales = "|".join(re.escape(s) for s in scales if len(s) > 2)
        short_scales = "|".join(re.escape(s) for s in scales if len(s) <= 2)
        scale = rf"(?:[ \t]?(?P<{{g}}>{long_scales})(?![\w])|(?P<{{h}}>{short_scales})(?![\w]))"
        # Currencies: symbols/codes before a number, words/codes after it.
        self.symbols: dict[str, str] = {}
        self.cwords: dict[str, str] = {}
        for cur in lexicon.pack.currencies:
            for sym in cur.symbols:
                self.symbols[sym.lower()] = cur.code
            for word in cur.words:
                self.cwords[word.lower()] = cur.code
            self.symbols.setdefault(cur.code.lower(), cur.code)
            self.cwords.setdefault(cur.code.lower(), cur.code)
        sym_alt = "|".join(_sym_pattern(s) for s in sorted(self.symbols, key=len, reverse=True)) or r"(?!x)x"
        word_cur = "|".join(phrase_pattern(w) for w in sorted(self.cwords, key=len, reverse=True)) or r"(?!x)x"
        self.money = re.compile(
            rf"(?:(?P<sym>{sym_alt})[ \t]?(?P<n1>{NUM}){scale.format(g='s1', h='t1')}?"
            rf"|(?<![\w.])(?P<n2>{number}){scale.format(g='s2', h='t2')}?[ \t]?(?P<cw>{word_cur})(?![\w]))",
            re.IGNORECASE,
        )
        self._longest_symbol = max((len(sym) for sym in self.symbols), default=0)
        # Cheap gate: the money regex runs only where a currency symbol, code or word occurs.
        self.money_gate = re.compile(
            "|".join(re.escape(s) for s in sorted(self.symbols, key=len, reverse=True) if not s[:1].isalpha())
            + "|" + compile_phrases([*self.cwords, *(s for s in self.symbols if s[:1].isalpha())]).pattern,
            re.IGNORECASE,
        )
        self.conversion_lead = re.compile(
            r"[ \t]*(?:\(|\[|,|–|—|-|;)?[ \t]*(?:or|about|around|roughly|approximately|approx\.|some|nearly|almost|"
            r"over|more than|just over|close to|equivalent to|worth|~)?[ \t]*",
            re.IGNORECASE,
        )
        self.percent = re.compile(
            rf"(?<![\w.])(?P<n>{number})[ \t]?(?:-[ \t]?)?(?P<p>%|percent(?!age)|per[ \t]cent|pct)(?![\w])"
            rf"(?P<pts>[ \t]+points?)?",
            re.IGNORECASE,
        )
        fractions = vocab.fractions
        self.fraction_values = {str(k).lower(): float(v) for k, v in fractions.items()}
        frac_alt = "|".join(phrase_pattern(f) for f in sorted(self.fraction_values, key=len, reverse=True))
        self.fraction = re.compile(rf"(?<![\w])(?P<f>{frac_alt or '(?!x)x'})[ \t]+of(?![\w])", re.IGNORECASE)
        # Measured amounts: spec units and capacity units.
        self.unit_keys: dict[str, tuple[str, str | None, float]] = {}
        for metric, spec in vocab.units.items():
            for word in spec.words:
                self.unit_keys[str(word).lower()] = (str(spec.unit or metric), str(metric), 1.0)
            for word in spec.miles:
                self.unit_keys[str(word).lower()] = ("km", str(metric), 1.609344)
        for unit, amount in vocab.capacity_units.items():
            for word in amount.words:
                key = str(word).lower()
                self.unit_keys.setdefault(key, (str(amount.unit or unit), "capacity", float(amount.scale)))
        unit_alt = _trie_source(sorted(self.unit_keys)) if self.unit_keys else r"(?!x)x"
        self.unit_gate = compile_phrases(self.unit_keys) if self.unit_keys else re.compile(r"(?!x)x")
        # "0.2GWh", "600Wh/kg", "1,000km": a unit glued to its number escapes the word-boundary cue scan.
        self.glued_unit_gate = re.compile(rf"\d(?:{unit_alt})", re.IGNORECASE) if self.unit_keys else re.compile(r"(?!x)x")
        self.measure = re.compile(
            rf"(?<![\w.])(?P<n>{number})\+?(?:[ \t]?(?P<sc>thousand|million))?"
            rf"(?:[ \t]*(?:-|–|to)[ \t]*(?P<n2>{NUM}))?[ \t]?-?[ \t]?(?P<u>{unit_alt})(?![\w])"
            r"(?!/h(?:r|our)?\b|[ \t]+(?:per|an|a)[ \t]+hour\b)",  # a speed ("83.9 km/h") is no distance
            re.IGNORECASE,
        )
        self.count = re.compile(rf"(?<![\w.$€¥₩£])(?P<n>{number})(?:[ \t]?(?P<sc>thousand|million|billion))?(?![\w%])"
                                r"(?P<plus>\+)?", re.IGNORECASE)
        self.digit_count = re.compile(rf"(?P<n>{NUM})(?:[ \t]?(?P<sc>thousand|million|billion))?(?![\w%])(?P<plus>\+)?",
                                      re.IGNORECASE)
        self.word_gate = re.compile(rf"(?<![\w])(?:{word_alt})(?![\w])", re.IGNORECASE)
        vague = vocab.vague_numbers
        self.vague_values = {str(k).lower(): float(v) for k, v in vague.items()}
        self.vague = compile_phrases(self.vague_values) if self.vague_values else None
        # One alternation per side, a named group per bound: the leftmost phrase wins, ties go to the
        # vocabulary's order (the same answer as trying each bound's list in turn).
        self.bound_before = _bound_regex(vocab.bounds, before=True)
        self.bound_after = _bound_regex(vocab.bounds_after, before=False)
        self.years = _YearFinder(vocab)
        # Single-character currency symbols: found with ``in`` (a gate that needs no regex).
        self._symbol_chars = tuple(sym for sym in self.symbols if not sym[:1].isalpha())
        self._simple_words = simple

    def gate_lists(self) -> dict[str, list[str]]:
        """Phrase lists whose presence gates the finders; the pipeline's one cue scan answers them."""
        return {
            "_number_words": list(self._simple_words),
            "_currency": [*self.cwords, *(s for s in self.symbols if s[:1].isalpha())],
            "_units": list(self.unit_keys),
            "_relative_years": list(self.years.relative_values),
        }

    # ------------------------------------------------------------------ figures
    def find(self, text: str, present: Container[str] | None = None) -> list[Quantity]:
        """Every money amount, percentage, measure and count in ``text``, in order, without overlaps.

        ``present`` holds the names of ``gate_lists()`` found in the text, when a cue scan already ran.
        """
        found: list[Quantity] = []
        taken: list[tuple[int, int]] = []
        if present is None:
            words = self.word_gate.search(text) is not None
            money = self.money_gate.search(text) is not None
            units = self.unit_gate.search(text) is not None
        else:
            words = "_number_words" in present
            money = "_currency" in present or any(sym in text for sym in self._symbol_chars)
            units = "_units" in present or self.glued_unit_gate.search(text) is not None
        if money:
            self._money(text, found, taken, words)
        starts = self._number_starts(text, words)
        self._percents(text, found, taken, starts)
        if units:
            self._measures(text, found, taken, starts)
        self._counts(text, found, taken, words, starts)
        found.sort(key=lambda q: q.start)
        return found

    def _money(self, text: str, found: list[Quantity], taken: list[tuple[int, int]], words: bool) -> None:
        starts = self._money_starts(text, words)
        k = 0
        pos = 0
        while True:
            match = None
            while k < len(starts):
                if starts[k] >= pos:
                    match = self.money.match(text, starts[k])
                    if match is not None:
                        k += 1
                        break
                k += 1
            if match is None:
                return
            parsed = self._money_value(match)
            pos = match.end()
            if parsed is None or _overlaps(taken, match.start(), match.end()):
                continue
            amount, currency = parsed
            if currency == "KRW" and match.group("cw") and match.group("cw").lower() == "won" and amount < 1000:
                continue  # "won" after a small number is the verb
            usd = amount if currency == "USD" else None
            end = match.end()
            lead = self.conversion_lead.match(text, end)
            if lead is not None:
                conv = self.money.match(text, lead.end())
                conv_val = self._money_value(conv) if conv else None
                if conv and conv_val:
                    if currency != "USD" and conv_val[1] == "USD":
                        usd = conv_val[0]
                    end = conv.end()
                    if end < len(text) and text[end] in ")]":
                        end += 1
            bound = self._bound(text, match.start(), end)
            found.append(Quantity("money", usd if usd is not None else amount, match.start(), end, bound,
                                  currency=currency, amount=amount, usd=usd, text=text[match.start():end]))
            taken.append((match.start(), end))
            pos = end

    def _number_starts(self, text: str, words: bool) -> list[int]:
        """Every offset where a figure can start: a run of digits, a number word, "a" before one."""
        starts = [run.start() for run in _DIGITS.finditer(text)]
        if words:
            extra = set(starts)
            for word in self.word_gate.finditer(text):
                extra.add(word.start())
                article = _ARTICLE_BEFORE.search(text, max(0, word.start() - 8), word.start())
                if article:
                    extra.add(article.start())
            starts = sorted(extra)
        return starts

    def _money_starts(self, text: str, words: bool = True) -> list[int]:
        """Every offset where a money amount can start: a number, or a currency symbol or code right before one.

        Trying the money pattern only there (instead of searching with it) avoids running its alternation of
        every currency symbol at every character of the sentence.
        """
        starts: set[int] = set()
        longest = self._longest_symbol
        for run in _DIGITS.finditer(text):
            n = run.start()
            starts.add(n)
            for e in (n, n - 1) if n and text[n - 1] in " \t" else (n,):
                for size in range(min(longest, e), 0, -1):
                    begin = e - size
                    symbol = text[begin:e].lower()
                    if symbol in self.symbols and not (symbol[:1].isalpha() and begin and _WORD.match(text, begin - 1)):
                        starts.add(begin)
        if words:
            for word in self.word_gate.finditer(text):
                starts.add(word.start())
                article = _ARTICLE_BEFORE.search(text, max(0, word.start() - 8), word.start())
                if article:
                    starts.add(article.start())
        return sorted(starts)

    def _money_value(self, match: re.Match[str] | None) -> tuple[float, str] | None:
        if match is None:
            return None
        if match.group("sym"):
            number = parse_number(match.group("n1"), self.words)
            currency = self.symbols.get(match.group("sym").lower().replace(" ", ""))
            scale = match.group("s1") or match.group("t1")
        else:
            number = parse_number(match.group("n2"), self.words)
            currency = self.cwords.get(re.sub(r"[\s\-]+", " ", match.group("cw").lower()))
            scale = match.group("s2") or match.group("t2")
        if number is None or currency is None:
            return None
        if scale:
            number *= self.lexicon.scales.get(scale.lower(), 1.0)
        return number, currency

    def _percents(self, text: str, found: list[Quantity], taken: list[tuple[int, int]], starts: list[int]) -> None:
        lowered = text.lower()
        gate = "%" in text or "pct" in lowered or ("cent" in lowered and "per" in lowered)
        for match in _SPOKEN_PERCENT.finditer(text) if "-point-" in lowered else ():
            # broadcast style, written as spoken: "14-point-five percent", "five-point-two percent"
            if _overlaps(taken, match.start(), match.end()):
                continue
            whole = parse_number(match.group("i"), self.words)
            digits = [_DIGIT_WORDS.get(d.lower(), d) for d in re.split(r"-", match.group("f"))]
            if whole is None or not all(d.isdigit() for d in digits):
                continue
            spoken = float(f"{int(whole)}.{''.join(digits)}")
            bound = self._bound(text, match.start(), match.end())
            found.append(Quantity("percent", spoken, match.start(), match.end(), bound, unit="%", text=match.group()))
            taken.append(match.span())
        percents = _matches_at(self.percent, text, starts) if gate else ()
        for match in percents:
            if match.group("pts") or _overlaps(taken, match.start(), match.end()):
                continue
            value = parse_number(match.group("n"), self.words)
            if value is None:
                continue
            bound = self._bound(text, match.start(), match.end())
            found.append(Quantity("percent", value, match.start(), match.end(), bound, unit="%",
                                  text=match.group()))
            taken.append(match.span())
        fractions = self.fraction.finditer(text) if _FRACTION_GATE.search(text) else ()
        for match in fractions:
            if _overlaps(taken, match.start(), match.end()):
                continue
            if _NOT_FRACTION_BEFORE.search(text, max(0, match.start() - 12), match.start()) or \
                    _NOT_FRACTION_AFTER.match(text, match.end()):
                continue  # "the second half of 2026", "half of the decade": a time, not a share
            value = self.fraction_values.get(re.sub(r"[\s\-]+", " ", match.group("f").lower()))
            if value is None:
                value = self.fraction_values.get(match.group("f").lower())
            if value is None:
                continue
            bound = self._bound(text, match.start(), match.end())
            found.append(Quantity("percent", value, match.start(), match.end(), bound, unit="%",
                                  text=match.group()))
            taken.append(match.span())

    def _measures(self, text: str, found: list[Quantity], taken: list[tuple[int, int]], starts: list[int]) -> None:
        for match in _matches_at(self.measure, text, starts):
            if _overlaps(taken, match.start(), match.end()):
                continue
            value = parse_number(match.group("n"), self.words)
            if value is None:
                continue
            if match.group("sc"):
                value *= 1000.0 if match.group("sc").lower() == "thousand" else 1e6
            word = re.sub(r"\s+", " ", match.group("u").lower())
            unit, metric, factor = self.unit_keys.get(word, self.unit_keys.get(match.group("u").lower(), (word, None, 1.0)))
            bound = self._bound(text, match.start(), match.end())
            found.append(Quantity("measure", round(value * factor, 6), match.start(), match.end(), bound,
                                  unit=unit, metric=metric, text=match.group()))
            taken.append(match.span())

    def _counts(self, text: str, found: list[Quantity], taken: list[tuple[int, int]], words: bool,
                starts: list[int]) -> None:
        if self.vague is not None and _VAGUE_GATE.search(text):
            for match in self.vague.finditer(text):
                if _overlaps(taken, match.start(), match.end()):
                    continue
                value = self.vague_values.get(re.sub(r"[\s\-]+", " ", match.group().lower()))
                if value is not None:
                    found.append(Quantity("count", value, match.start(), match.end(), "gt", text=match.group()))
                    taken.append(match.span())
        # Digits first (a regex that starts with a digit class scans fast); word numbers only when present.
        matches = _matches_at(self.count if words else self.digit_count, text, starts)
        for match in matches:
            if match.start() and text[match.start() - 1] in _NOT_BEFORE_COUNT:
                continue
            if _overlaps(taken, match.start(), match.end()):
                continue
            raw = match.group("n")
            if _YEAR_ONLY.fullmatch(raw) and not match.group("sc"):
                continue  # a year, not a count
            value = parse_number(raw, self.words)
            if value is None:
                continue
            if match.group("sc"):
                value *= self.lexicon.scales.get(match.group("sc").lower(), 1.0)
            bound = "gt" if match.group("plus") else self._bound(text, match.start(), match.end())
            found.append(Quantity("count", value, match.start(), match.end(), bound, text=match.group()))
            taken.append(match.span())

    def _bound(self, text: str, start: int, end: int) -> str:
        """The bound stated just before (or just after) a figure."""
        hit = self.bound_before.search(text[max(0, start - 28) : start])
        if hit is None:
            hit = self.bound_after.match(text[end : end + 14])
        if hit is None:
            return "eq"
        return _BOUND_NAMES.get(hit.lastgroup or "", "eq")

    def find_years(self, text: str, published: date | None, present: Container[str] | None = None) -> list[YearRef]:
        """Every year, year range and relative year in ``text``."""
        return self.years.find(text, published, present)


class _YearFinder:
    """Years: "2027", "2027 or 2028", "2027-28", "between 2027 and 2028", "fiscal 2028", "late 2020s",
    "last year", "within five years", "by the end of the decade"."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.range = re.compile(
            rf"(?<![\w$€¥₩£.,])(?P<pre>(?:between|from)[ \t]+)?(?:(?:fiscal|FY)[ \t]?(?:year[ \t])?)?"
            rf"(?P<y1>{_YEAR})(?P<mid>[ \t]?(?:-|–|—|/|to|or|and|through|until|till)[ \t]?"
            rf"(?:(?:fiscal|FY)[ \t]?)?(?P<y2>{_YEAR}|\d\d(?![\w,.]\d)))?(?![\w%])",
            re.IGNORECASE,
        )
        self.fy_short = re.compile(r"(?<![\w])FY[ \t]?(?P<yy>\d\d)(?![\w])", re.IGNORECASE)
        parts = vocab.decade_parts
        self.decade_parts = {str(k).lower(): v for k, v in parts.items()}
        part_alt = "|".join(phrase_pattern(p) for p in sorted(self.decade_parts, key=len, reverse=True)) or "(?!x)x"
        self.decade = re.compile(
            rf"(?<![\w])(?:the[ \t]+)?(?P<part>{part_alt})(?:-|[ \t]+of[ \t]+the[ \t]+|[ \t]+)"
            rf"(?:(?P<dec>(?:19|20)\d0)s|(?P<this>decade))",
            re.IGNORECASE,
        )
        rel = vocab.relative_years
        self.relative_values = {str(k).lower(): int(v) for k, v in rel.items()}
        self.relative = compile_phrases(self.relative_values) if self.relative_values else None
        self.within = re.compile(r"(?<![\w])(?:within|in)[ \t]+(?:the[ \t]+next[ \t]+)?(?P<n>\w+)[ \t]+years?(?![\w])",
                                 re.IGNORECASE)
        # Word-initial only (the lookbehind): tried at every position of the window, the alternation was the
        # slowest part of year finding, and "begin 2027" has no preposition "in".
        self.prep = re.compile(
            r"(?<![\w])(?:within|by|before|until|till|through|in|from|since|starting|as of|of|for|around|about|circa|after|"
            r"beyond|during|end|end of|end-|mid|mid-|early|late|early in|late in|start of|beginning of|"
            r"H1|H2|Q1|Q2|Q3|Q4|first half of|second half of|spring|summer|autumn|fall|winter|"
            r"January|February|March|April|May|June|July|August|September|October|November|December|"
            r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?|\d{1,2},?|"
            r"as early as|as soon as|no later than|not before|the|year|fiscal|financial|calendar|"
            r"half of|quarter of|part of)[ \t\-]*$",
            re.IGNORECASE,
        )

    def find(self, text: str, published: date | None, present: Container[str] | None = None) -> list[YearRef]:
        out: list[YearRef] = []
        if not _YEAR_GATE.search(text):
            return out
        lower = text.lower()
        # Each pattern below needs a word or figure a substring test finds faster than the pattern itself.
        four_digits = _FOUR_DIGITS.search(text) is not None
        for match in self.range.finditer(text) if four_digits else ():
            y1 = int(match.group("y1"))
            y2_raw = match.group("y2")
            y2: int | None = None
            mid = (match.group("mid") or "").strip().lower()
            end = match.end()
            if y2_raw:
                y2 = int(y2_raw) if len(y2_raw) == 4 else (y1 // 100) * 100 + int(y2_raw)
                joiner = re.sub(r"[\s\d]", "", mid).lower()
                pre = (match.group("pre") or "").strip().lower()
                valid = y2 > y1 and (joiner not in ("and", "to") or pre or joiner == "to")
                if joiner == "and" and not pre:
                    valid = False
                if not valid:
                    y2 = None
                    end = match.start("mid")
            prep = self._prep(text, match.start())
            if (match.group("pre") or "").strip().lower() in ("from", "between"):
                prep = (match.group("pre") or "").strip().lower()
            bound = "approx" if prep in ("around", "about", "circa") else "eq"
            out.append(YearRef(y1, y2, match.start(), end, bound, prep, text[match.start():end]))
        for match in self.fy_short.finditer(text) if "fy" in lower else ():
            if any(r.start <= match.start() < r.end for r in out):
                continue
            year = 2000 + int(match.group("yy"))
            out.append(YearRef(year, None, match.start(), match.end(), "eq", self._prep(text, match.start()), match.group()))
        for match in self.decade.finditer(text) if ("0s" in lower or "decade" in lower) else ():
            part = self.decade_parts.get(re.sub(r"[\s\-]+", " ", match.group("part").lower()))
            if part is None:
                continue
            if match.group("dec"):
                decade = int(match.group("dec"))
            elif published is not None:
                decade = published.year // 10 * 10
            else:
                continue
            first, last, bound = int(part[0]), int(part[1]), str(part[2])
            y1, y2 = decade + first, decade + last
            out.append(YearRef(y1, y2 if y2 != y1 else None, match.start(), match.end(), bound,
                               self._prep(text, match.start()), match.group()))
        if published is not None:
            if self.relative is not None and (present is None or "_relative_years" in present):
                for match in self.relative.finditer(text):
                    offset = self.relative_values.get(re.sub(r"[\s\-]+", " ", match.group().lower()))
                    if offset is None:
                        continue
                    out.append(YearRef(published.year + offset, None, match.start(), match.end(), "eq",
                                       self._prep(text, match.start()) or ("by" if offset > 0 else ""), match.group()))
            for match in self.within.finditer(text) if "year" in lower else ():
                if any(r.start <= match.start() < r.end for r in out):
                    continue
                n = parse_number(match.group("n"))
                if n is None or not 0 < n <= 30:
                    continue
                out.append(YearRef(published.year + int(n), None, match.start(), match.end(), "eq", "by", match.group()))
        out = [r for r in out if not _DATELINE.search(text, max(0, r.start - 60), r.end + 12)
               or not _DATELINE.search(text, 0, r.end + 12)]
        out.sort(key=lambda r: r.start)
        return out

    def _prep(self, text: str, start: int) -> str:
        """The word(s) just before a year ("by", "in", "since", "as of"...)."""
        before = text[max(0, start - 24) : start]
        hit = self.prep.search(before)
        if not hit:
            return ""
        word = hit.group().strip(" \t-").lower()
        return word


# "TOKYO, Oct. 12, 2023 --", "LONDON, 18 February 2025 (Argus) --", "July 25, 2017 --": the date of the
# report, at the head of a sentence, not a year any claim is about.
_DATELINE = re.compile(
    r"^[^a-z]{0,50}?(?:\b[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2},?[ \t]+|\b\d{1,2}[ \t]+[A-Z][a-z]{2,8}\.?,?[ \t]+)"
    r"(?:19|20)\d\d[ \t]*(?:\([^)]{1,40}\)[ \t]*)?(?:--|—|–|-|:|\|)"
)
_DIGIT_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
_SPOKEN_PERCENT = re.compile(
    rf"(?<![\w\-])(?P<i>\d{{1,3}}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:{_DIGIT_WORD}))?|"
    rf"{_DIGIT_WORD}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
    rf"-point-(?P<f>(?:\d|{_DIGIT_WORD})(?:-(?:\d|{_DIGIT_WORD}))*)[ \t\-]percent(?![\w])",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_YEAR_ONLY = re.compile(_YEAR)
_FOUR_DIGITS = re.compile(r"\d\d\d\d")
_WORD = re.compile(r"\w")
_ARTICLE_BEFORE = re.compile(r"(?<![\w])a[ \t]+$", re.IGNORECASE)
_YEAR_GATE = re.compile(r"\d\d|year|decade|FY", re.IGNORECASE)
_FRACTION_GATE = re.compile(r"half|third|quarter|fifth|tenth", re.IGNORECASE)
_VAGUE_GATE = re.compile(r"hundred|thousand|dozen", re.IGNORECASE)
_NOT_BEFORE_COUNT = frozenset("0123456789.$€¥₩£" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NOT_FRACTION_BEFORE = re.compile(r"(?:first|second|third|fourth|latter|former|last|final|the|in|H[12])[ \t]+$",
                                  re.IGNORECASE)
_NOT_FRACTION_AFTER = re.compile(r"[ \t]+(?:the[ \t]+|this[ \t]+|that[ \t]+|next[ \t]+|its[ \t]+)?"
                                 r"(?:year|decade|century|month|quarter|week|\d|fiscal|the[ \t]+20)", re.IGNORECASE)


_BOUND_NAMES: dict[str, str] = {}


def _bound_regex(table: dict[str, list[str]], *, before: bool) -> re.Pattern[str]:
    """Bound phrases ending the text before a figure (``before``) or starting the text after it."""
    groups = []
    for i, (bound, phrases) in enumerate(table.items()):
        name = "b{}_{}".format(i, re.sub(r"\W", "", str(bound)))
        _BOUND_NAMES[name] = str(bound)
        groups.append(f"(?P<{name}>{compile_phrases([str(p) for p in phrases]).pattern})")
    if not groups:
        return re.compile(r"(?!x)x")
    body = "|".join(groups)
    return re.compile(rf"(?:{body})[ \t]*$" if before else rf"[ \t]*(?:{body})", re.IGNORECASE)


def _sym_pattern(symbol: str) -> str:
    """Regex for a currency symbol or code before a number (codes need a word boundary)."""
    src = re.escape(symbol)
    if symbol[:1].isalpha():
        src = rf"(?<![\w]){src}"
    return src


def _unit_pattern(unit: str) -> str:
    src = phrase_pattern(unit)
    return src


def _matches_at(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What ``rx.finditer(text)`` yields, for a pattern whose matches can only begin at ``starts``.

    Figures begin at a digit or a number word; anchoring the pattern there spares trying its number
    alternation at every character.
    """
    pos = 0
    for start in starts:
        if start < pos:
            continue
        match = rx.match(text, start)
        if match is not None and match.end() > start:
            yield match
            pos = match.end()


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in taken)
