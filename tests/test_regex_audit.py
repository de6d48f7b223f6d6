"""Every regular expression that sees untrusted text runs in time linear in that text.

The patterns are collected, not listed: the globals of every module of ``ssbrace.extract``,
``ssbrace.documents`` and ``ssbrace.sources`` (walked into containers, class attributes, default
arguments), the compiled extractor of the default domain pack (patterns built from the gazetteer and the
vocabulary) after it has run on the pack's examples (so that its caches hold theirs), and the literal
patterns given to ``re`` functions inside function bodies.

Each pattern is timed the way the code uses it, read from the source: one that is only ever matched at a
position (``.match``, ``.fullmatch``) is timed so; one that is searched (``search``, ``finditer``, ``sub``...)
or handed elsewhere is timed finding every match; the quantity finder's figure patterns are tried where a
figure can start, as the finder tries them. A pattern nothing reads is left out.

Each pattern meets adversarial texts made from its own parts: long runs of every character it mentions
(and of a member of every class), those runs broken at the end, pairs of them alternating, and near-miss
repetitions of what its repeated parts and alternatives match. Each text is timed at 1,200 characters (the
sentence cap) and at 2,400; a linear pattern takes about twice as long on the longer one. A pattern fails
when one run passes ``MAX_SECONDS``, or when doubling the text more than ``MAX_RATIO``-folds the time twice
over (2,400 vs 1,200, confirmed at 4,800 vs 2,400), above a floor where timer noise dominates.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

PACKAGES = ("ssbrace.extract", "ssbrace.documents", "ssbrace.sources")
EXAMPLES = Path(__file__).resolve().parents[1] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"
LENGTH = 1200  # vocabulary max_sentence_chars: the longest text an extract pattern sees
MAX_RATIO = 3.0  # linear is 2x per doubling; quadratic 4x
FLOOR_SECONDS = 0.002  # below this at the longer length, a ratio is timer noise
MAX_SECONDS = 0.1  # one run on 2,400 characters
STOP_SECONDS = 2.0  # a run is stopped here (and counts as this slow)

# How the code runs a pattern on a text.
SCAN, MATCH, FULLMATCH, FIGURE_STARTS = "scan", "match", "fullmatch", "figure starts"
# The quantity finder tries these only where a figure can start (``QuantityFinder._number_starts``,
# ``_money_starts``: a digit run, a number word, a currency symbol before one), one ``match`` per start.
_FIGURE_PATTERNS = {"percent", "measure", "count", "digit_count", "money"}

# A member of each class escape, and of its complement.
_CATEGORY = {
    sre.CATEGORY_DIGIT: "7", sre.CATEGORY_NOT_DIGIT: "a", sre.CATEGORY_SPACE: " ", sre.CATEGORY_NOT_SPACE: "a",
    sre.CATEGORY_WORD: "a", sre.CATEGORY_NOT_WORD: " ", sre.CATEGORY_LINEBREAK: "\n",
    sre.CATEGORY_NOT_LINEBREAK: "a",
}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_ALWAYS = "a A1. ,\n-"  # a few characters every text is made of
_BREAKERS = ("\x00", "a", " ")  # what ends a run: nothing in it, a letter, a space
# Texts per pattern stay in the hundreds: a few words of each alternative list, a few dozen parts in all.
_BRANCH_FRAGMENTS = 6
_FRAGMENTS = 32


@dataclass
class Found:
    pattern: re.Pattern
    where: str
    uses: set[str] = field(default_factory=set)  # SCAN, MATCH, FULLMATCH, FIGURE_STARTS


# ---------------------------------------------------------------- collecting the patterns


def _modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            yield importlib.import_module(info.name)


def _walk(obj: object, where: str, found: dict[tuple, Found], seen: set[int], depth: int = 0) -> None:
    """Every compiled pattern reachable from ``obj`` through containers and ssbrace objects."""
    if id(obj) in seen or depth > 12 or isinstance(obj, (str, bytes, int, float, bool, type(None), Path)):
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        found.setdefault((obj.pattern, obj.flags), Found(obj, where))
        return

    def walk(child: object, step: str) -> None:
        _walk(child, f"{where}{step}", found, seen, depth + 1)

    if isinstance(obj, dict):
        for key, value in list(obj.items()):
            walk(key, "")
            walk(value, f"[{str(key)[:30]!s}]")
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for value in list(obj):
            walk(value, "[]")
    elif isinstance(obj, functools.partial):
        for value in (obj.func, *obj.args, *obj.keywords.values()):
            walk(value, "(partial)")
    elif inspect.isfunction(obj):
        if obj.__module__.startswith("ssbrace"):
            for value in (*(obj.__defaults__ or ()), *(obj.__kwdefaults__ or {}).values()):
                walk(value, "(default)")
            for cell in obj.__closure__ or ():
                try:
                    walk(cell.cell_contents, "(closure)")
                except ValueError:  # an empty cell
                    pass
    elif isinstance(obj, type):
        if obj.__module__.startswith("ssbrace"):
            for name, value in list(vars(obj).items()):
                walk(value, f".{name}")
    elif type(obj).__module__.startswith("ssbrace"):
        for name, value in list(getattr(obj, "__dict__", {}).items()):
            walk(value, f".{name}")
        for name in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, name):
                walk(getattr(obj, name), f".{name}")


_RE_FUNCTIONS = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2, "split": 3,
                 "sub": 4, "subn": 4}  # name -> position of its flags argument
_ANCHORED = {"match": MATCH, "fullmatch": FULLMATCH}


def _tree(module: ModuleType) -> ast.Module | None:
    path = Path(getattr(module, "__file__", "") or "")
    return ast.parse(path.read_text(encoding="utf-8")) if path.suffix == ".py" else None


def _literal_patterns(module: ModuleType, tree: ast.Module, found: dict[tuple, Found]) -> list[str]:
    """Compile the literal patterns given to ``re`` functions in the module's source, with how each call
    uses them; returns the places of the calls whose pattern is built from values."""
    built = []
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.func.attr in _RE_FUNCTIONS and node.args):
            continue
        where = f"{module.__name__}:{node.lineno}"
        position = _RE_FUNCTIONS[node.func.attr]
        flag_arg = node.args[position] if len(node.args) > position else None
        flag_arg = next((k.value for k in node.keywords if k.arg == "flags"), flag_arg)
        source = node.args[0]
        if not (isinstance(source, ast.Constant) and isinstance(source.value, (str, bytes))):
            built.append(where)
            continue
        flags = eval(compile(ast.Expression(flag_arg), where, "eval"), {"re": re}) if flag_arg else 0  # re.I | re.S
        pattern = re.compile(source.value, flags)
        entry = found.setdefault((pattern.pattern, pattern.flags), Found(pattern, where))
        parent = parents.get(id(node))
        if node.func.attr != "compile":
            entry.uses.add(_ANCHORED.get(node.func.attr, SCAN))
        elif isinstance(parent, ast.Attribute):  # re.compile(...).search(...) on the spot
            entry.uses.add(_ANCHORED.get(parent.attr, SCAN))
        elif not isinstance(parent, (ast.Assign, ast.AnnAssign)):  # kept in a container, passed on
            entry.uses.add(SCAN)
        # else a name holds it: how that name is read decides (collect_patterns)
    return built


def _reads(tree: ast.Module, reads: dict[str, set[str]]) -> None:
    """How every name read in the source is used: MATCH or FULLMATCH when the read is the object of such a
    call, FIGURE_STARTS when it is one of the quantity finder's figure patterns, else SCAN (searched, or
    handed to code that may search with it)."""
    anchored = {id(node.func.value): _ANCHORED[node.func.attr] for node in ast.walk(tree)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _ANCHORED}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            name = node.id if isinstance(node, ast.Name) else node.attr
            use = FIGURE_STARTS if name in _FIGURE_PATTERNS else anchored.get(id(node), SCAN)
            reads.setdefault(name, set()).add(use)


def _name(where: str) -> str:
    """The name a pattern was found under: "money" for "extractor.quantities.money", "" inside a container."""
    last = where.rsplit(".", 1)[-1]
    return last if last.isidentifier() else ""


def collect_patterns() -> tuple[list[Found], list[str], list[str]]:
    """The patterns that see text, with their uses; the places where patterns are built from values; the
    names of patterns nothing reads."""
    from ssbrace.extract.pipeline import extract_claims, extractor_for

    for example in sorted(EXAMPLES.iterdir()):  # fills the extractor's caches of compiled patterns
        extract_claims(example.read_text(encoding="utf-8"), doc=example.name)
    found: dict[tuple, Found] = {}
    seen: set[int] = set()
    built: list[str] = []
    reads: dict[str, set[str]] = {}
    _walk(extractor_for(None), "extractor", found, seen)
    for module in _modules():
        for name, value in vars(module).items():
            owner = getattr(value, "__module__", module.__name__)
            if isinstance(value, re.Pattern) or owner == module.__name__ \
                    or isinstance(value, (dict, list, tuple, set, frozenset)):
                _walk(value, f"{module.__name__}.{name}", found, seen)
        tree = _tree(module)
        if tree is not None:
            built += _literal_patterns(module, tree, found)
            _reads(tree, reads)
    unread = []
    for entry in found.values():
        name = _name(entry.where)
        if name and ":" not in entry.where:
            if name not in reads and not entry.uses:
                unread.append(entry.where)
            entry.uses |= reads.get(name, set())
        elif not entry.uses and ":" not in entry.where:
            entry.uses.add(SCAN)  # in a container: searched, as far as this test knows
    return [entry for entry in found.values() if entry.uses], built, unread


# ---------------------------------------------------------------- adversarial texts


def _class_members(items: list) -> tuple[list[str], bool]:
    chars, negated = [], False
    for op, arg in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            chars.append(chr(arg))
        elif op is sre.RANGE:
            chars += [chr(arg[0]), chr(arg[1])]
        elif op is sre.CATEGORY:
            chars.append(_CATEGORY.get(arg, "a"))
    return chars, negated


def _outside(items: list) -> str:
    """A character a negated class accepts."""
    listed, _ = _class_members(items)
    for candidate in "xa1 .-!\n":
        if candidate not in listed and not any(
            op is sre.CATEGORY and re.fullmatch(_category_source(arg), candidate) for op, arg in items
        ) and not any(op is sre.RANGE and arg[0] <= ord(candidate) <= arg[1] for op, arg in items):
            return candidate
    return "\x01"


def _category_source(category: object) -> str:
    return {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
            sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}.get(category, "x")


def _example(parsed: list, fragments: list[str], chars: set[str]) -> str:
    """A short text the parsed pattern matches (roughly: lookarounds ignored); collects its parts' texts."""
    out = []
    for op, arg in parsed:
        if op is sre.LITERAL:
            chars.add(chr(arg))
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append("x" if chr(arg) != "x" else "y")
        elif op is sre.ANY:
            out.append("x")
        elif op is sre.IN:
            members, negated = _class_members(arg)
            chars.update(members)
            out.append(_outside(arg) if negated else (members[0] if members else "a"))
        elif op is sre.CATEGORY:
            out.append(_CATEGORY.get(arg, "a"))
            chars.add(out[-1])
        elif op is sre.BRANCH:
            branches = [_example(list(b), fragments, chars) for b in arg[1]]
            fragments.extend(b for b in branches[:_BRANCH_FRAGMENTS] if b)
            out.append(branches[0])
        elif op is sre.SUBPATTERN:
            out.append(_example(list(arg[-1]), fragments, chars))
        elif op in _REPEATS:
            body = _example(list(arg[2]), fragments, chars)
            if body:
                fragments.append(body)
            out.append(body * max(arg[0], 1))
        elif op in {sre.ASSERT, sre.ASSERT_NOT}:
            _example(list(arg[1]), fragments, chars)  # its characters count, its text does not
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            out.append(_example(list(arg), fragments, chars))
    return "".join(out)


def adversarial_texts(pattern: re.Pattern, length: int) -> list[str]:
    """Texts of ``length`` characters built from the pattern's characters and its parts' matches."""
    fragments: list[str] = []
    chars: set[str] = set(_ALWAYS)
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    whole = _example(list(sre_parse.parse(source, pattern.flags & ~re.LOCALE)), fragments, chars)
    fragments.append(whole)
    texts = []
    for char in sorted(chars):
        run = char * (length - 1)
        texts += [run + breaker for breaker in _BREAKERS if breaker != char]
    structural = sorted(c for c in chars if not c.isalpha())[:12] + ["a", "A"]
    for first in structural:
        for second in structural:
            if first < second:
                texts.append(((first + second) * length)[:length])
    # Repeated parts come first in ``fragments`` order of discovery; a long word list adds little after a few.
    kept = list(dict.fromkeys(f for f in fragments if 0 < len(f) < length // 4))[:_FRAGMENTS]
    for fragment in kept:
        for separator in ("", " ", ", "):
            unit = fragment + separator
            repeated = (unit * (length // len(unit) + 1))[: length - 1]
            texts += [repeated + "\x00", (fragment[:-1] + separator + " ") * (length // (len(unit) + 1))]
    return [text[:length] for text in texts if text]


# ---------------------------------------------------------------- timing


class _TooSlow(Exception):
    pass


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _TooSlow


@functools.cache
def _finder():  # type: ignore[no-untyped-def]
    from ssbrace.extract.pipeline import extractor_for

    return extractor_for(None).quantities


def _runner(pattern: re.Pattern, uses: set[str]) -> Callable[[str | bytes], object]:
    """One run of the pattern on a text, in every way the code uses it."""
    def run(text: str | bytes) -> None:
        if SCAN in uses:
            for _match in pattern.finditer(text):  # type: ignore[arg-type]
                pass  # search, findall, sub and split try every start the same way
        if MATCH in uses:
            pattern.match(text)  # type: ignore[arg-type]
        if FULLMATCH in uses:
            pattern.fullmatch(text)  # type: ignore[arg-type]
        if FIGURE_STARTS in uses:
            assert isinstance(text, str)
            finder = _finder()
            starts = finder._money_starts(text) if pattern is finder.money else finder._number_starts(text, True)
            for start in starts:  # every start tried, as when no figure is found
                pattern.match(text, start)
    return run


def _seconds(run: Callable[[str | bytes], object], text: str | bytes, repeats: int = 1) -> float:
    """Best of ``repeats`` times of ``run(text)``. A catastrophic pattern could run for hours: an alarm
    (the re engine checks for signals) stops a run at ``STOP_SECONDS``, which is then the figure."""
    best = float("inf")
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, STOP_SECONDS)
            try:
                run(text)
            except _TooSlow:
                return STOP_SECONDS
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            best = min(best, time.perf_counter() - start)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return best


def slow_runs(pattern: re.Pattern, uses: set[str] = frozenset({SCAN}), most: int = 3) -> list[str]:  # type: ignore[assignment]
    """How the pattern is super-linear or slow on its adversarial texts (at most ``most`` ways); empty when
    it is neither."""
    run = _runner(pattern, set(uses))

    def timed(text: str, repeats: int = 1) -> float:
        return _seconds(run, text if isinstance(pattern.pattern, str) else text.encode("latin-1", "replace"),
                        repeats)

    problems: list[str] = []
    shorts = adversarial_texts(pattern, LENGTH)
    longs = adversarial_texts(pattern, 2 * LENGTH)
    for index, (short, long) in enumerate(zip(shorts, longs, strict=True)):
        if len(problems) >= most:
            break
        shape = f"{long[:12]!r}...{long[-3:]!r}"
        t_long = timed(long)
        if t_long < FLOOR_SECONDS:
            continue
        if t_long > MAX_SECONDS:
            problems.append(f"{'over ' if t_long >= STOP_SECONDS else ''}{t_long * 1000:.0f} ms at "
                            f"{2 * LENGTH} chars on {shape}")
            continue
        t_long, t_short = timed(long, 3), timed(short, 3)
        if t_long >= FLOOR_SECONDS and t_long > MAX_RATIO * max(t_short, 1e-6):
            t_longer = timed(adversarial_texts(pattern, 4 * LENGTH)[index], 3)
            if t_longer > MAX_RATIO * t_long:  # confirmed: not a pause of the machine
                problems.append(f"{t_short * 1000:.1f} / {t_long * 1000:.1f} / {t_longer * 1000:.1f} ms at "
                                f"{LENGTH} / {2 * LENGTH} / {4 * LENGTH} chars on {shape}")
    return problems


def test_every_pattern_on_untrusted_text_is_linear():
    patterns, built, unread = collect_patterns()
    assert len(patterns) > 200  # the walk reaches the extractor's patterns, not just a few globals
    assert any(SCAN in p.uses for p in patterns) and any(p.uses == {MATCH} for p in patterns)
    offenders = {}
    for found in patterns:
        problems = slow_runs(found.pattern, found.uses)
        if problems:
            offenders[f"{found.where} ({', '.join(sorted(found.uses))}): {str(found.pattern.pattern)[:80]!r}"] = problems
    print(f"regex audit: {len(patterns)} patterns checked, {len(unread)} never read ({', '.join(unread)}); "
          f"{len(built)} places build patterns from values")
    assert not offenders, "\n".join(f"{where}\n    " + "\n    ".join(p) for where, p in offenders.items())


def test_the_audit_catches_super_linear_patterns():
    # Trailing spaces found by a search: every start in a run of spaces scans to its end.
    assert slow_runs(re.compile(r"\s+$"))
    assert slow_runs(re.compile(r"(?P<name>[A-Z]\w*(?:\s+[A-Z]\w*)*)\s+Inc\b"))
    # Two runs of the same class side by side: quadratic even at one position.
    assert slow_runs(re.compile(r"^[ \t]*(?:is)?[ \t]*x"), {MATCH})
    assert not slow_runs(re.compile(r"^[ \t]*+(?:is)?[ \t]*x"), {MATCH})
    assert not slow_runs(re.compile(r"(?<!\S)Inc\b"))
