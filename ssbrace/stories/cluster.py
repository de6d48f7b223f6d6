"""Grouping documents that report the same event into stories, one document at a time.

A new document joins the open story it is most like, or starts one. "Like" is TF-IDF cosine
similarity of the texts, reinforced by shared entities and shared figures, among stories whose
dates lie within a window of the document's date. Entities and figures only reinforce: two texts
that do not read alike never merge, so two announcements by the same company stay apart. A near
duplicate joins its original's story. The result depends only on the records given and the order of
arrival; ``ssbrace.pipeline`` reads them from the store and writes the assignments back.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.preprocessing import normalize

from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.stories.features import EntityIndex, Profile, strip_header_lines, text_profile, with_claims

__all__ = ["Profile", "text_profile", "with_claims"]  # kept here too: placement's names for them
from ssbrace.stories.sentences import split_sentences
from ssbrace.stories.terms import KeptTermWeights, TermCounts


@dataclass(frozen=True)
class ClusterConfig:
    """The knobs of clustering; the defaults were chosen on tests/data/stories (bench/stories.py)."""

    window_days: int = 7  # coverage of one event rarely spreads over more than a week
    threshold: float = 0.20  # combined score a document needs to join a story
    min_text: float = 0.08  # below this text similarity, entities and figures cannot merge
    figure_share: float = 0.01  # a figure in more of the compared documents than this (and 3) is not telling
    entity_weight: float = 0.12
    figure_weight: float = 0.12
    disagreement: float = 1.0  # 2+ figures on each side, none shared: minus this many figure weights
    background: int = 300  # recent documents that steady the term weights of a small window
    # Bounds that keep the cost of placing one document independent of the store's size: the most
    # recently active stories of the window, and each story's latest members, are compared.
    max_stories: int = 30
    max_members: int = 8
    # Candidates come from the story index (stories whose members share the document's entities, figures or
    # title words, ranked by how telling the shared keys are) and, for a document that shares none, the
    # most recently active stories. A key carried by more than ``key_postings`` members of the window is
    # too common to be read.
    recent_stories: int = 10
    key_postings: int = 20


DEFAULT_CONFIG = ClusterConfig()


def make_vectorizer() -> TfidfVectorizer:
    """The TF-IDF model of story texts: words and word pairs, English stop words out, damped counts."""
    return TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        dtype=np.float64,
    )


class TextModel(Protocol):
    """What ``StoryVectors`` asks of its model: texts in, a sparse matrix of term weights out."""

    def transform(self, raw_documents: Iterable[str]) -> Any: ...


class _CountsThenWeights:
    """``make_vectorizer``'s model as its two halves, counts then TF-IDF weights, so that fitting it yields the
    fitted texts' vectors too: each text is read once, where ``fit`` then ``transform`` read it twice."""

    def __init__(self, texts: list[str]) -> None:
        model = make_vectorizer()
        self.counter = CountVectorizer(lowercase=model.lowercase, stop_words=model.stop_words,
                                       ngram_range=model.ngram_range, min_df=model.min_df, dtype=model.dtype)
        self.weights = TfidfTransformer(norm=model.norm, use_idf=model.use_idf, smooth_idf=model.smooth_idf,
                                        sublinear_tf=model.sublinear_tf)
        counts = self.counter.fit_transform(texts)
        # in the order ``transform`` gives them: a row's norm is summed in that order, to the last bit
        counts.sort_indices()
        self.weights.fit(counts)
        self.fitted = self.weights.transform(counts, copy=False)

    def transform(self, raw_documents: Iterable[str]) -> Any:
        return self.weights.transform(self.counter.transform(raw_documents), copy=False)


def document_text(doc: DocRecord) -> str:
    """What is compared: the title (twice, it names the event) and the text."""
    return story_text(doc.title, doc.text)


def story_text(title: str | None, text: str) -> str:
    """``document_text`` of a title and text not stored yet (a distributed run's workers count its terms)."""
    title = title or ""
    return f"{title}\n{title}\n{strip_header_lines(text)}"


def headline_for(docs: Sequence[DocRecord]) -> str:
    """The title of the earliest document that has one, else the opening of the earliest text."""
    ordered = sorted(docs, key=lambda d: (d.day or date.max, d.id))
    for doc in ordered:
        if doc.title and doc.title.strip():
            return " ".join(doc.title.split())
    for doc in ordered:
        # the opening sentence, not a byline or a "Date:" line
        sentences = [s for s in split_sentences(doc.text) if s.kind != "boilerplate"]
        if sentences:
            first = sentences[0].text
            return first if len(first) <= 120 else first[:117].rstrip() + "..."
    return "(untitled)"


# What a document's own text names and states, by (entity index, document id, hash of title and text). A
# stored text never changes, so within one process (a batch, the web server) placing one more document
# does not scan the texts of the documents it is compared with again.
_TEXT_PROFILES: OrderedDict[tuple[int, int, int], Profile] = OrderedDict()
_TEXT_PROFILES_SIZE = 50_000


def _text_profile(doc: DocRecord, index: EntityIndex) -> Profile:
    key = (id(index), doc.id, hash((doc.title, doc.text)))
    found = _TEXT_PROFILES.get(key)
    if found is not None:
        _TEXT_PROFILES.move_to_end(key)
        return found
    found = text_profile(doc.title, doc.text, index)
    _TEXT_PROFILES[key] = found
    if len(_TEXT_PROFILES) > _TEXT_PROFILES_SIZE:
        _TEXT_PROFILES.popitem(last=False)
    return found


def _profiles(
    docs: Sequence[DocRecord], claims: Sequence[ClaimRecord], index: EntityIndex,
    known: dict[int, Profile] | None = None,
) -> dict[int, Profile]:
    """Each document's entities (found in its text, and its claims' subjects and objects) and figures;
    ``known`` holds those worked out already in this batch (a document and its claims do not change)."""
    known = {} if known is None else known
    named: dict[int, set[str]] = {d.id: set() for d in docs if d.id not in known}
    for claim in claims:
        if claim.document_id in named:
            named[claim.document_id].add(claim.subject)
            if claim.object:
                named[claim.document_id].add(claim.object)
    for d in docs:
        if d.id not in known:
            known[d.id] = with_claims(_text_profile(d, index), named[d.id])
    return {d.id: known[d.id] for d in docs}


_TITLE_WORD = re.compile(r"[^\W\d_][\w'-]{3,}")


def common_figures(profiles: Iterable[Profile], share: float) -> frozenset[str]:
    """Figures in more than ``share`` of these documents (and in more than 3): in a crowded week a "500 Wh/kg"
    or a "20%" turns up in reports of many different events, so sharing one says little."""
    profiles = list(profiles)
    counts = Counter(f for p in profiles for f in p.figures)
    floor = max(3.0, share * len(profiles))
    return frozenset(f for f, n in counts.items() if n > floor)


def document_keys(doc: DocRecord, claims: Sequence[ClaimRecord], index: EntityIndex,
                  known: dict[int, Profile] | None = None) -> set[str]:
    """What a document is found by in the story index: the entities it names (its claims' subjects and objects
    too), its telling figures and the content words of its title; ``known`` as in ``_profiles`` (a batch's
    profiles, which its placement then reuses)."""
    profile = _profiles([doc], claims, index, known)[doc.id]
    keys = {f"e:{e.casefold()}" for e in profile.entities} | {f"f:{f}" for f in profile.figures}
    words = (w.casefold() for w in _TITLE_WORD.findall(doc.title or ""))
    keys.update(f"w:{w}" for w in words if w not in ENGLISH_STOP_WORDS)
    return keys


def rank_by_keys(postings: dict[str, tuple[int, ...] | None], limit: int, most: int) -> list[int]:
    """The ``limit`` stories sharing the most telling keys with a document, best first (ties: the newer story).

    ``postings`` maps each of the document's keys to the stories carrying it in the window (None: too common to
    be read). A key carried by few stories tells more: each counts log((most + 1) / stories)."""
    score: dict[int, float] = {}
    for ids in postings.values():
        if not ids:
            continue
        weight = math.log((most + 1) / len(ids))
        for story_id in ids:
            score[story_id] = score.get(story_id, 0.0) + weight
    return sorted(score, key=lambda i: (-score[i], -i))[:limit]


@dataclass(frozen=True)
class Match:
    story_id: int
    score: float
    text: float
    entities: float
    figures: float


def _match(story_id: int, mine: Profile, text: float, their_entities: frozenset[str],
           their_figures: frozenset[str], config: ClusterConfig, common: frozenset[str]) -> Match | None:
    if text < config.min_text:
        return None
    smaller = min(len(mine.entities), len(their_entities))
    entities = len(mine.entities & their_entities) / smaller if smaller else 0.0
    # two shared figures are strong evidence, one a hint (a common price or percentage); reports
    # of one event repeat its figures, so several figures on each side, none shared, count against
    both = mine.figures & their_figures
    shared = len(both - common)
    if shared:
        figures = min(1.0, shared / 2)
    elif not both and min(len(mine.figures), len(their_figures)) >= 2:
        figures = -config.disagreement
    else:
        figures = 0.0
    score = text + config.entity_weight * entities + config.figure_weight * figures
    return Match(story_id, score, text, entities, figures)


def score_stories(
    doc: DocRecord,
    stories: Sequence[StoryRecord],
    docs: dict[int, DocRecord],
    similarity: dict[int, float],
    profiles: dict[int, Profile],
    config: ClusterConfig,
    common: frozenset[str] = frozenset(),
) -> list[Match]:
    """How well a document fits each candidate story, best first (ties: the older story); ``similarity``
    holds the text similarity of the document with each member of the candidates."""
    mine = profiles[doc.id]
    matches = []
    for story in stories:
        members = [m for m in story.document_ids if m in docs]
        if not members:
            continue
        # Scored against each member, the story by its best one: against the union of the members' entities
        # and figures, a large story attracted everything in a crowded week (bench/pipeline.py's burst:
        # B-cubed F1 0.23 against 0.74).
        pairs = [_match(story.id, mine, similarity[m], profiles[m].entities, profiles[m].figures, config, common)
                 for m in members if similarity[m] >= config.min_text]  # (``_match`` refuses the others)
        found = [p for p in pairs if p is not None]
        if found:
            matches.append(max(found, key=lambda p: p.score))
    matches.sort(key=lambda m: (-m.score, m.story_id))
    return matches


class StoryVectors:
    """Unit TF-IDF vectors from one fitted model, each document transformed once: a batch of new documents
    (or a rebuild) fits one model and compares every placement in it through the same vectors. Each
    document's entities and figures are kept beside its vector for the batch too."""

    def __init__(self, vectorizer: TextModel) -> None:
        self.vectorizer = vectorizer
        self._rows: dict[int, int] = {}  # document id -> row of the matrix
        self._blocks: list[sparse.csr_matrix] = []
        self._matrix: sparse.csr_matrix | None = None
        self._dense: np.ndarray | None = None  # one document's vector spread out, zero between uses
        self.profiles: dict[int, Profile] = {}  # each document's entities and figures, for the batch

    @classmethod
    def fitted(cls, docs: Sequence[DocRecord]) -> StoryVectors:
        """A model fitted on these documents (``fit_vectorizer``'s), with their vectors, each text read once."""
        unique = list({d.id: d for d in docs}.values())
        model = _CountsThenWeights([document_text(d) for d in unique])
        vectors = cls(model)
        vectors._append([d.id for d in unique], model.fitted)
        return vectors

    @classmethod
    def from_kept_terms(cls, counted: dict[int, TermCounts]) -> StoryVectors:
        """What ``fitted`` gives for these documents, from their term counts by id (``stories.terms``): no text
        is read, and other documents are weighed against the same document frequencies."""
        ids = sorted(counted)
        model = KeptTermWeights([counted[i] for i in ids])
        vectors = cls(model)
        vectors._append(ids, model.weigh_corpus())
        return vectors

    def add(self, docs: Sequence[DocRecord]) -> None:
        """Transform the documents not seen yet (one call for many is cheaper than one each)."""
        new = [d for d in {d.id: d for d in docs}.values() if d.id not in self._rows]
        if new:
            self._append([d.id for d in new], self.vectorizer.transform([document_text(d) for d in new]))

    def _append(self, ids: list[int], weights: Any) -> None:
        block = normalize(weights, norm="l2", copy=False)
        start = len(self._rows)
        for i, document_id in enumerate(ids):
            self._rows[document_id] = start + i
        self._blocks.append(sparse.csr_matrix(block))
        self._matrix = None

    def similarity(self, doc: DocRecord, others: Sequence[DocRecord]) -> dict[int, float]:
        """Cosine similarity of ``doc`` with each of ``others``, by document id."""
        self.add([doc, *others])
        if self._matrix is None:
            self._matrix = sparse.vstack(self._blocks, format="csr") if len(self._blocks) > 1 else self._blocks[0]
            self._blocks = [self._matrix]
        ids = [d.id for d in others]
        matrix = self._matrix
        if self._dense is None or len(self._dense) != matrix.shape[1]:
            self._dense = np.zeros(matrix.shape[1])
        dense, indptr, indices, data = self._dense, matrix.indptr, matrix.indices, matrix.data
        row = self._rows[doc.id]
        mine = indices[indptr[row] : indptr[row + 1]]
        dense[mine] = data[indptr[row] : indptr[row + 1]]
        # The others' rows times the document's vector spread out: each dot product summed term after term in
        # the row's order, as a product of the two sparse vectors adds them, at one call for all the rows.
        sims = (matrix[np.fromiter((self._rows[i] for i in ids), dtype=np.int64, count=len(ids))] @ dense).tolist()
        dense[mine] = 0.0
        return dict(zip(ids, sims, strict=True))


def _similarity(doc: DocRecord, docs: Sequence[DocRecord], background: Sequence[DocRecord]) -> dict[int, float]:
    """Text similarity of ``doc`` with ``docs`` under a model fitted here on them and the background."""
    corpus = {d.id: d for d in background}
    corpus.update({d.id: d for d in docs})
    vectorizer = make_vectorizer()
    vectorizer.fit([document_text(corpus[i]) for i in sorted(corpus)])
    return StoryVectors(vectorizer).similarity(doc, docs)


@dataclass(frozen=True)
class Assignment:
    """Where one document goes: an existing story (with the match score) or a new one (``story_id`` None)."""

    document_id: int
    story_id: int | None
    score: float | None
    headline: str
    day: date | None


def story_window(doc: DocRecord, config: ClusterConfig = DEFAULT_CONFIG) -> tuple[date, date]:
    """The dates a story must reach into to be a candidate for ``doc`` (undated: around today)."""
    day = doc.day or date.today()
    window = timedelta(days=config.window_days)
    return day - window, day + window


def join_original(doc: DocRecord, story_id: int, members: Sequence[DocRecord]) -> Assignment:
    """A near duplicate joins its original's story; ``members`` are the story's documents and ``doc``."""
    return Assignment(doc.id, story_id, 1.0, headline_for(members), doc.day)


def place_document(
    doc: DocRecord,
    stories: Sequence[StoryRecord],
    docs: Sequence[DocRecord],
    claims: Sequence[ClaimRecord],
    index: EntityIndex,
    *,
    background: Sequence[DocRecord] = (),
    config: ClusterConfig = DEFAULT_CONFIG,
    vectors: StoryVectors | None = None,
) -> Assignment:
    """The story a document joins, or a new one.

    Args:
        doc: the document to place.
        stories: the candidates, those within ``story_window`` of the document (at most
            ``config.max_stories``, the most recently active).
        docs: the document and the candidates' latest ``config.max_members`` members.
        claims: the claims of ``docs``; their subjects and objects reinforce similarity.
        index: the domain pack's entities, found in the texts.
        background: recent documents that steady the term weights (unused with ``vectors``).
        config: thresholds and window.
        vectors: the vectors of a model fitted once for a batch or a rebuild; without them a model is
            fitted here on ``docs`` and ``background``, which costs as much as the placement itself.
    """
    stories = [story if len(story.document_ids) <= config.max_members
               else dataclasses.replace(story, document_ids=story.document_ids[-config.max_members :])
               for story in stories]
    by_id = {d.id: d for d in docs}
    if stories:
        others = list(by_id.values())
        similarity = vectors.similarity(doc, others) if vectors is not None else _similarity(doc, others, background)
        profiles = _profiles(others, claims, index, vectors.profiles if vectors is not None else None)
        common = common_figures(profiles.values(), config.figure_share)
        matches = score_stories(doc, stories, by_id, similarity, profiles, config, common)
        if matches and matches[0].score >= config.threshold:
            best = matches[0]
            story = next(s for s in stories if s.id == best.story_id)
            members = [by_id[m] for m in story.document_ids if m in by_id] + [doc]
            return Assignment(doc.id, best.story_id, round(best.score, 4), headline_for(members), doc.day)
    return Assignment(doc.id, None, None, headline_for([doc]), doc.day)


def fit_vectorizer(docs: Sequence[DocRecord]) -> TfidfVectorizer:
    """One TF-IDF model over these documents (a rebuild fits one, not one per document)."""
    vectorizer = make_vectorizer()
    vectorizer.fit([document_text(d) for d in docs])
    return vectorizer
